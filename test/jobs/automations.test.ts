import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAutomations } from "../../src/jobs/automations.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import type { Database } from "../../src/store/database.js";
import { findMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

/** An instant given as Shanghai wall-clock time; the tests run under TZ=UTC, so this proves the zone is honoured. */
const shanghai = (local: string) => new Date(`${local}+08:00`);
const DAY = 86_400_000;

interface Sent {
  readonly to: string;
  readonly text: string;
  readonly commands: string[];
}

describe.each(testDatabases())("automations on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  const run = (now: Date, ctx: ServiceContext = f.ctx) => runAutomations(ctx, { now });
  const lastId = async () => (await f.db.prisma.outboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;

  /** Messages queued after outbox row `after` that mention account `id`, as `member:<handle>` or `team:<key>`. */
  async function sentAbout(id: number, after: number): Promise<Sent[]> {
    const rows = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: after }, targetKind: { in: ["member", "team"] } }, orderBy: { id: "asc" } });
    const out: Sent[] = [];
    for (const row of rows) {
      const { reply } = JSON.parse(row.payload) as { reply: { text: string; blocks: { kind: string; buttons?: { command: string }[] }[] } };
      // Messages name the account as "Company (#id)" (full-width brackets in Chinese); "task #n" is not it.
      if (!new RegExp(`#${id}[)）]`).test(reply.text)) continue;
      const to = row.targetKind === "member" ? `member:${(await findMember(f.db, { id: Number(row.target) }))!.handle}` : `team:${row.target}`;
      out.push({ to, text: reply.text, commands: reply.blocks.flatMap((b) => b.buttons ?? []).map((b) => b.command) });
    }
    return out;
  }

  async function escalations(id: number) {
    const rows = await f.db.prisma.stageEvent.findMany({ where: { accountId: id, kind: { in: ["reminder", "released"] } }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ kind: r.kind, ...(JSON.parse(r.data!) as { level: number; repName: string; ownerName?: string | null }) }));
  }

  async function account(id: number) {
    const row = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { stage: true, ownerId: true, version: true } });
    return { stage: row.stage, owner: row.ownerId === null ? null : (await findMember(f.db, { id: row.ownerId }))!.handle, version: row.version };
  }

  /** An account in `stage` since `enteredAt`, owned by `owner` (null: nobody). */
  async function accountIn(company: string, stage: string, enteredAt: Date, owner: string | null): Promise<number> {
    const created = await f.db.prisma.account.create({
      data: { company, stage, stageEnteredAt: enteredAt, lastActivityAt: enteredAt, createdAt: enteredAt, ownerId: owner ? f.members[owner]!.id : null },
      select: { id: true },
    });
    return created.id;
  }

  /** A lead handed to sales at `at`: an MQL owned by the rep whose turn it is. */
  async function mqlAt(company: string, at: Date): Promise<number> {
    f.clock.set(at);
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, source: "web", amount: 1000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const handed = await runCommand(f.ctx, f.members.mia!, `lead handoff #${created.value.accountId} --confirm all`, { platform: "cli" });
    expect(handed.errorCode).toBeUndefined();
    return created.value.accountId;
  }

  describe("90 days in P5", () => {
    const now = shanghai("2026-11-23T10:00:00");

    it("creates the explore-expansion task once, for the owner, with a [Done] button", async () => {
      const due = await accountIn("Mature Mail Co", "P5", new Date(now.getTime() - 90 * DAY), "carl");
      const early = await accountIn("Almost Mature Co", "P5", new Date(now.getTime() - 90 * DAY + 60_000), "carl");
      const elsewhere = await accountIn("Old Stable Co", "P4", new Date(now.getTime() - 400 * DAY), "carl");
      const before = await lastId();
      expect((await run(now)).tasks).toBe(1);
      expect((await run(now)).tasks).toBe(0);
      const tasks = await f.db.prisma.task.findMany({ where: { accountId: { in: [due, early, elsewhere] } } });
      expect(tasks.map((t) => ({ accountId: t.accountId, kind: t.kind, title: t.title, assigneeId: t.assigneeId }))).toEqual([
        { accountId: due, kind: "explore-expansion", title: "Explore expansion", assigneeId: f.members.carl!.id },
      ]);
      const sent = await sentAbout(due, before);
      expect(sent).toEqual([{ to: "team:cs", text: expect.stringContaining("New task for Carl"), commands: [`account done ${tasks[0]!.id}`, `account next #${due}`] }]);
      // The button's command works, and the task then leaves the owner's list.
      const listed = await runCommand(f.ctx, f.members.carl!, "account tasks", { platform: "cli" });
      expect(listed.text).toContain("Mature Mail Co: Explore expansion");
      expect((await runCommand(f.ctx, f.members.carl!, sent[0]!.commands[0]!, { platform: "cli" })).errorCode).toBeUndefined();
      // A minute later the second account is due too, and only it gets a task.
      expect((await run(new Date(now.getTime() + 60_000))).tasks).toBe(1);
      expect(await f.db.prisma.task.count({ where: { accountId: early } })).toBe(1);
      expect(await f.db.prisma.task.count({ where: { accountId: elsewhere } })).toBe(0);
    });

    it("keeps the title in the owner's language and announces it in the team's channel, in the team's language", async () => {
      const zh = await accountIn("Chinese Owner Co", "P5", new Date(now.getTime() - 100 * DAY), "cathy");
      const pool = await accountIn("Nobody's Co", "P5", new Date(now.getTime() - 100 * DAY), null);
      const before = await lastId();
      expect((await run(now)).tasks).toBe(2);
      expect((await f.db.prisma.task.findFirstOrThrow({ where: { accountId: zh } })).title).toBe("挖掘增购需求");
      const [zhSent] = await sentAbout(zh, before);
      expect(zhSent).toMatchObject({ to: "team:cs", text: expect.stringContaining("Explore expansion") });
      expect(zhSent!.text).toContain(f.members.cathy!.displayName);
      expect(await sentAbout(pool, before)).toEqual([expect.objectContaining({ to: "team:cs", text: expect.stringContaining("New task for") })]);
    });

    it("creates one task and one message when passes race, and pages through more accounts than one query reads", async () => {
      const enteredAt = new Date(now.getTime() - 120 * DAY);
      await f.db.prisma.account.createMany({
        data: Array.from({ length: 230 }, (_, i) => ({ company: `Bulk ${i}`, stage: "P5", stageEnteredAt: enteredAt, lastActivityAt: enteredAt, createdAt: enteredAt, ownerId: f.members.carl!.id })),
      });
      const before = await lastId();
      const passes = await Promise.all([run(now), run(now), run(now)]);
      expect(passes.reduce((sum, p) => sum + p.tasks, 0)).toBe(230);
      expect(await f.db.prisma.task.count({ where: { kind: "explore-expansion" } })).toBe(2 + 2 + 230);
      const messages = await f.db.prisma.outboxMessage.count({ where: { id: { gt: before } } });
      expect(messages).toBe(230);
    });
  });

  describe("an MQL nobody accepts", () => {
    it("reminds the rep, then the manager, then goes back to the pool and on to the next rep: once each, counted in business days", async () => {
      // Handed over Friday 10:00; SLA 1 business day: due Monday 10:00, 2× Tuesday, 3× Wednesday.
      const id = await mqlAt("Silent Prospect", shanghai("2026-11-27T10:00:00"));
      expect((await account(id)).owner).toBe("alice");
      const before = await lastId();
      // Saturday is more than a day later, but not a business day later.
      for (const at of ["2026-11-27T18:00:00", "2026-11-28T10:00:00", "2026-11-29T23:00:00", "2026-11-30T09:59:00"]) await run(shanghai(at));
      expect(await escalations(id)).toEqual([]);

      await run(shanghai("2026-11-30T10:00:00"));
      await run(shanghai("2026-11-30T10:05:00"));
      await run(shanghai("2026-12-01T09:55:00"));
      expect(await escalations(id)).toEqual([{ kind: "reminder", level: 1, repId: f.members.alice!.id, repName: "Alice", stageEnteredAt: expect.any(String) }]);
      const reminded = await sentAbout(id, before);
      expect(reminded).toEqual([{ to: "member:alice", text: expect.stringContaining("1 business day(s)"), commands: [`lead accept #${id}`, `lead return #${id}`, `lead unqualified #${id}`, `account next #${id}`] }]);

      const managerTime = await lastId();
      await run(shanghai("2026-12-01T10:00:00"));
      await run(shanghai("2026-12-01T15:00:00"));
      expect((await escalations(id)).map((e) => [e.kind, e.level])).toEqual([["reminder", 1], ["reminder", 2]]);
      expect((await sentAbout(id, managerTime)).map((s) => s.to)).toEqual(["member:sam"]);
      expect((await account(id)).owner).toBe("alice");

      const releaseTime = await lastId();
      await run(shanghai("2026-12-02T10:00:00"));
      await run(shanghai("2026-12-02T10:05:00"));
      expect((await escalations(id)).map((e) => [e.kind, e.level])).toEqual([["reminder", 1], ["reminder", 2], ["released", 3]]);
      expect((await escalations(id))[2]).toMatchObject({ repName: "Alice", ownerName: "Bob" });
      // Alice, who let it go, is skipped: it goes to the next rep in the rotation, with the MQL card.
      expect(await account(id)).toMatchObject({ stage: "MQL", owner: "bob" });
      const released = await sentAbout(id, releaseTime);
      expect(released.map((s) => s.to)).toEqual(["member:alice", "member:bob", "team:sales"]);
      expect(released[1]!.commands).toContain(`lead accept #${id}`);
      expect((await f.db.prisma.team.findUniqueOrThrow({ where: { key: "sales" } })).lastAssignedId).toBe(f.members.bob!.id);

      // Bob's own clock starts now: no reminder for him until a business day has passed.
      const bobsTurn = await lastId();
      await run(shanghai("2026-12-02T18:00:00"));
      expect(await sentAbout(id, bobsTurn)).toEqual([]);
      await run(shanghai("2026-12-03T10:00:00"));
      expect((await sentAbout(id, bobsTurn)).map((s) => s.to)).toEqual(["member:bob"]);

      // `lead show` tells the story.
      f.clock.set(shanghai("2026-12-03T11:00:00"));
      const shown = await runCommand(f.ctx, f.members.sam!, `lead show #${id}`, { platform: "cli" });
      expect(shown.text).toContain("reminder 1 of 3: Alice has not accepted it yet");
      expect(shown.text).toContain("reminder 2 of 3: Alice has not accepted it yet");
      expect(shown.text).toContain("Alice did not accept it in time; back to the pool, now Bob");
      expect(shown.text).toContain("reminder 1 of 3: Bob has not accepted it yet");
      const zh = await runCommand(f.ctx, f.members.chen!, `lead show #${id}`, { platform: "cli" });
      expect(zh.text).toContain("Alice 超时未接受,退回公海,现由 Bob 负责");
    });

    it("does only the highest step due after downtime, and leaves it in the pool when no other rep is available", async () => {
      const id = await mqlAt("Forgotten Prospect", shanghai("2026-12-07T10:00:00"));
      const owner = (await account(id)).owner!;
      const others = ["alice", "bob", "chen"].filter((h) => h !== owner);
      await f.db.prisma.member.updateMany({ where: { handle: { in: others } }, data: { away: true } });
      try {
        const before = await lastId();
        // Down all week: at the next pass the MQL is past 3× its SLA.
        await run(shanghai("2026-12-11T10:00:00"));
        expect((await escalations(id)).map((e) => [e.kind, e.level])).toEqual([["released", 3]]);
        expect(await account(id)).toMatchObject({ stage: "MQL", owner: null });
        const sent = await sentAbout(id, before);
        expect(sent.map((s) => s.to)).toEqual([`member:${owner}`, "team:sales"]);
        // The channel may take it from the pool.
        expect(sent[1]!.text).toContain("unassigned (pool)");
        expect(sent[1]!.commands).toContain(`lead accept #${id}`);
        // Unowned, it escalates no further.
        await run(shanghai("2026-12-18T10:00:00"));
        expect(await escalations(id)).toHaveLength(1);
      } finally {
        await f.db.prisma.member.updateMany({ where: { handle: { in: others } }, data: { away: false } });
      }
    });

    it("never escalates an MQL its rep accepted in time", async () => {
      const id = await mqlAt("Keen Prospect", shanghai("2026-12-14T10:00:00"));
      const owner = (await account(id)).owner!;
      f.clock.set(shanghai("2026-12-14T16:00:00"));
      expect((await runCommand(f.ctx, f.members[owner]!, `lead accept #${id}`, { platform: "cli" })).errorCode).toBeUndefined();
      const before = await lastId();
      for (let day = 0; day < 10; day++) await run(new Date(shanghai("2026-12-15T10:00:00").getTime() + day * DAY));
      expect(await escalations(id)).toEqual([]);
      expect(await sentAbout(id, before)).toEqual([]);
      expect(await account(id)).toMatchObject({ stage: "SAL", owner });
    });

    it("does nothing when the rep accepts between the automation's read and its write", async () => {
      const id = await mqlAt("Last Minute Prospect", shanghai("2026-12-21T10:00:00"));
      const owner = (await account(id)).owner!;
      // The pass reads the account, then its escalation history: accept right then, as a rep clicking at that moment.
      let accepted = false;
      const racing = raceOnRead(f.db, async () => {
        if (accepted) return;
        accepted = true;
        f.clock.set(shanghai("2026-12-24T09:59:00"));
        expect((await runCommand(f.ctx, f.members[owner]!, `lead accept #${id}`, { platform: "cli" })).errorCode).toBeUndefined();
      });
      const before = await lastId();
      // 3× the SLA has passed: without the version check this would release the account and undo the accept.
      const pass = await run(shanghai("2026-12-24T10:00:00"), { ...f.ctx, db: racing });
      expect(accepted).toBe(true);
      expect(pass.released).toBe(0);
      expect(await escalations(id)).toEqual([]);
      expect(await account(id)).toMatchObject({ stage: "SAL", owner });
      expect((await sentAbout(id, before)).filter((s) => s.text.includes("⏰"))).toEqual([]);
    });
  });
});

/** The same database, with `beforeEventRead` run just before each read of stage events. */
function raceOnRead(db: Database, beforeEventRead: () => Promise<void>): Database {
  const events = new Proxy(db.prisma.stageEvent, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== "findMany" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        await beforeEventRead();
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  const prisma = new Proxy(db.prisma, {
    get(target, prop) {
      if (prop === "stageEvent") return events;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...db, prisma };
}
