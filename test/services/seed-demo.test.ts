import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamCalendars } from "../../src/wiring.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { stallRules } from "../../src/domain/stalled.js";
import type { ServiceContext } from "../../src/services/context.js";
import { buildDigest } from "../../src/services/digest.js";
import { DEMO_ACCOUNTS, seedDemo } from "../../src/services/seed-demo.js";
import { migrate, openDatabase, type Database } from "../../src/store/database.js";
import { stalledAccounts } from "../../src/store/stalled.js";
import { freshSqliteUrl } from "../support/databases.js";
import { tableCounts } from "../support/fixture.js";

describe("the demo data (seed-demo, and npm start on an empty database)", () => {
  let db: Database;
  let ctx: ServiceContext;
  const now = new Date("2026-11-23T02:00:00Z");

  beforeAll(async () => {
    const url = freshSqliteUrl();
    db = await openDatabase(url);
    await migrate(db, url);
    const calendars = teamCalendars({ FUNNEL_CALENDAR: undefined, TZ: undefined }, now);
    ctx = { db, playbook: PlaybookSchema.parse(emailSaas), calendar: calendars.default, calendars, clock: () => now };
    expect(await seedDemo(ctx)).toEqual({ seeded: true, teams: 4, members: 12, accounts: DEMO_ACCOUNTS });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("has the four teams and a dozen members, with a manager and reps in each team and an admin", async () => {
    const members = await db.prisma.member.findMany({ select: { teamKey: true, role: true } });
    expect(members).toHaveLength(12);
    for (const team of ["marketing", "sales", "cs", "support"]) {
      expect(members.filter((m) => m.teamKey === team && m.role === "manager")).toHaveLength(1);
      expect(members.filter((m) => m.teamKey === team && m.role === "rep").length).toBeGreaterThan(0);
    }
    expect(members.some((m) => m.role === "admin")).toBe(true);
  });

  it("puts about forty accounts in every stage of the funnel, each with a history", async () => {
    const accounts = await db.prisma.account.findMany({ select: { id: true, stage: true } });
    expect(accounts).toHaveLength(40);
    const stages = new Set(accounts.map((a) => a.stage));
    for (const stage of ctx.playbook.stages) expect(stages, stage.code).toContain(stage.code);
    // Every account that left its first stage did so through recorded transitions, never a counter.
    const transitions = await db.prisma.stageEvent.groupBy({ by: ["accountId"], where: { kind: "transition" }, _count: { _all: true } });
    expect(transitions.length).toBe(accounts.filter((a) => a.stage !== "LEAD").length);
    const reasons = await db.prisma.stageEvent.count({ where: { toStage: { in: ["RETURNED", "UNQUALIFIED", "LOST", "CHURNED"] }, reasonCode: { not: null } } });
    expect(reasons).toBeGreaterThanOrEqual(8);
  });

  it("leaves some accounts stalled and holds others out of the list with a next step", async () => {
    const everything = ctx.playbook.stages.map((s) => s.code);
    const { accounts: stalled } = await stalledAccounts(db, stallRules(ctx.playbook, ctx.calendar, everything, now), now);
    expect(stalled.length).toBeGreaterThanOrEqual(10);
    const held = await db.prisma.account.findMany({ where: { nextStepAt: { gt: now } }, select: { id: true, stageEnteredAt: true } });
    expect(held.length).toBeGreaterThanOrEqual(3);
    for (const account of held) expect(stalled.map((s) => s.id)).not.toContain(account.id);
    const digest = await buildDigest(ctx, "sales", { locale: "en" });
    expect(digest.text).toMatch(/Stalled: \d+ account/);
  });

  it("gives sales reps MQL cards waiting in their DMs and the sales channel", async () => {
    const mqls = await db.prisma.account.findMany({ where: { stage: "MQL" }, select: { id: true, owner: { select: { teamKey: true, role: true } } } });
    expect(mqls.length).toBeGreaterThanOrEqual(3);
    for (const mql of mqls) expect(mql.owner).toEqual({ teamKey: "sales", role: "rep" });
    const cards = await db.prisma.outboxMessage.count({ where: { targetKind: "member", payload: { contains: `"kind":"mql-assigned"` } } });
    expect(cards).toBeGreaterThanOrEqual(mqls.length);
  });

  it("does nothing to a database that already has members", async () => {
    const before = await tableCounts(db);
    expect(await seedDemo(ctx)).toEqual({ seeded: false, teams: 0, members: 0, accounts: 0 });
    expect(await tableCounts(db)).toEqual(before);
  });
});
