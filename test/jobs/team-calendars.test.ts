import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDigests } from "../../src/jobs/digests.js";
import { startScheduler } from "../../src/jobs/scheduler.js";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { announceScheduleGaps, scheduleGaps } from "../../src/services/calendars.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createLead } from "../../src/services/create-lead.js";
import { buildDigest } from "../../src/services/digest.js";
import { runCommand } from "../../src/services/run-command.js";
import { teamCalendars } from "../../src/wiring.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

// Instants given as wall-clock times of a zone; the tests run under TZ=UTC, so each zone comes from a calendar.
const shanghai = (local: string) => new Date(`${local}+08:00`);
const pacific = (local: string) => new Date(`${local}-08:00`); // PST: November to March

const CN_TEAMS = ["marketing", "cs", "support"];

async function cli(ctx: ServiceContext, line: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(line.split(" "), async () => ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Digest messages queued to team channels after outbox row `after`. */
async function queued(f: Fixture, after: number): Promise<{ team: string; text: string }[]> {
  const rows = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: after }, targetKind: "team", NOT: { payload: { contains: "\"kind\":\"image\"" } } }, orderBy: { id: "asc" } });
  return rows.map((r) => ({ team: r.target, text: (JSON.parse(r.payload) as { reply: { text: string } }).reply.text }));
}
const lastId = async (f: Fixture) => (await f.db.prisma.outboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;

/** An MQL handed to sales at `at`; returns its id and its owner's handle. */
async function mqlAt(f: Fixture, company: string, at: Date): Promise<{ id: number; owner: string }> {
  f.clock.set(at);
  const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, source: "web", amount: 1000, region: null, industry: null }, { platform: "cli" });
  if (!created.ok) throw new Error(created.error.code);
  const id = created.value.accountId;
  expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${id} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
  const row = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
  return { id, owner: row.owner!.handle };
}

describe.each(testDatabases())("mainland China's calendar from chinese-days on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  it("sends no digest in the Spring Festival week, and sends one on the 调休 Saturday before it", async () => {
    const pass = (at: Date) => runDigests(f.ctx, { now: at, workerId: "w", digestTime: "09:30" });
    const before = await lastId(f);
    expect((await pass(shanghai("2026-02-14T09:30:00"))).sent).toEqual(["marketing", "sales", "cs", "support"]);
    for (const day of ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"]) {
      const result = await pass(shanghai(`${day}T10:00:00`));
      expect(result.sent).toEqual([]);
      expect(Object.values(result.teams).every((s) => s.skipped === "day-off" && s.day === day)).toBe(true);
    }
    expect((await pass(shanghai("2026-02-24T09:30:00"))).sent).toHaveLength(4);
    expect((await queued(f, before)).map((d) => d.text.split("\n")[0])).toEqual([
      "☀️ 市场部每日摘要 · 2026-02-14", "☀️ Sales daily digest · 2026-02-14", "☀️ Customer success daily digest · 2026-02-14", "☀️ Tech support daily digest · 2026-02-14",
      "☀️ 市场部每日摘要 · 2026-02-24", "☀️ Sales daily digest · 2026-02-24", "☀️ Customer success daily digest · 2026-02-24", "☀️ Tech support daily digest · 2026-02-24",
    ]);
  });

  it("does not count the Spring Festival toward an SLA: an MQL from the 调休 Saturday is due the Tuesday after", async () => {
    const { id, owner } = await mqlAt(f, "Festival Lead Co", shanghai("2026-02-14T10:00:00"));
    const digestAt = async (at: Date) => {
      f.clock.set(at);
      return (await buildDigest(f.ctx, "sales", { locale: "en" })).text;
    };
    expect(await digestAt(shanghai("2026-02-23T18:00:00"))).not.toContain("Festival Lead Co");
    expect(await digestAt(shanghai("2026-02-24T09:59:00"))).not.toContain("Festival Lead Co");
    expect(await digestAt(shanghai("2026-02-24T10:00:00"))).toMatch(new RegExp(`#${id} Festival Lead Co · .* · 1 business day in MQL, SLA 1`));
    f.clock.set(shanghai("2026-02-20T10:00:00"));
    expect((await runCommand(f.ctx, f.members[owner]!, "lead mine", { platform: "cli" })).text).not.toMatch(/Festival Lead Co.*⏰/);
    f.clock.set(shanghai("2026-02-24T10:00:00"));
    expect((await runCommand(f.ctx, f.members[owner]!, "lead mine", { platform: "cli" })).text).toMatch(/Festival Lead Co.*⏰/);
  });
});

describe.each(testDatabases())("a team in California beside teams in Shanghai on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
    // As an admin sets it: `funnelbot teams set sales --calendar us-ca --tz America/Los_Angeles`.
    const set = await cli(f.ctx, "teams set sales --calendar us-ca --tz America/Los_Angeles");
    expect(set).toMatchObject({ code: 0, out: expect.stringContaining("calendar:us-ca tz:America/Los_Angeles") });
  });
  afterAll(async () => f?.close());

  const pass = (at: Date) => runDigests(f.ctx, { now: at, workerId: "w", digestTime: "09:30" });

  it("lists each team's calendar and timezone", async () => {
    const list = (await cli(f.ctx, "teams list")).out.split("\n");
    expect(list.find((l) => l.startsWith("sales"))).toContain("calendar:us-ca tz:America/Los_Angeles");
    expect(list.find((l) => l.startsWith("cs"))).toContain("calendar:cn (default) tz:Asia/Shanghai (default)");
  });

  it("sends the sales digest at 09:30 Pacific on a US business day, and Shanghai's at 09:30 China time", async () => {
    const before = await lastId(f);
    // Mon 23 Nov 09:29 in Los Angeles is Tue 01:29 in Shanghai: nobody's time yet.
    expect(await pass(pacific("2026-11-23T09:29:00"))).toEqual({
      sent: [], teams: { marketing: { day: "2026-11-24", skipped: "too-early" }, sales: { day: "2026-11-23", skipped: "too-early" }, cs: { day: "2026-11-24", skipped: "too-early" }, support: { day: "2026-11-24", skipped: "too-early" } },
    });
    expect((await pass(pacific("2026-11-23T09:30:00"))).sent).toEqual(["sales"]);
    expect((await pass(shanghai("2026-11-24T09:29:00"))).sent).toEqual([]);
    expect((await pass(shanghai("2026-11-24T09:30:00"))).sent).toEqual(CN_TEAMS);
    expect((await pass(pacific("2026-11-24T09:30:00"))).sent).toEqual(["sales"]);
    const sent = await queued(f, before);
    expect(sent.map((d) => `${d.team} ${d.text.split("\n")[0]}`)).toEqual([
      "sales ☀️ Sales daily digest · 2026-11-23",
      "marketing ☀️ 市场部每日摘要 · 2026-11-24", "cs ☀️ Customer success daily digest · 2026-11-24", "support ☀️ Tech support daily digest · 2026-11-24",
      "sales ☀️ Sales daily digest · 2026-11-24",
    ]);
    // The claims are per team and its own local day.
    expect(await f.db.prisma.digestRun.findMany({ where: { teamKey: "sales" }, select: { day: true }, orderBy: { day: "asc" } })).toEqual([{ day: "2026-11-23" }, { day: "2026-11-24" }]);
  });

  it("announces only the calendars teams use: all on a US calendar, nobody hears of mainland China's missing year", async () => {
    const december = shanghai("2026-12-01T10:00:00");
    expect(scheduleGaps(f.ctx.calendars, december)).toEqual([{ calendar: "cn", year: 2027, teams: ["cs", "marketing", "support"] }]);
    for (const team of CN_TEAMS) expect((await cli(f.ctx, `teams set ${team} --calendar us`)).code).toBe(0);
    expect(scheduleGaps(f.ctx.calendars, december)).toEqual([]);
    for (const team of CN_TEAMS) expect((await cli(f.ctx, `teams set ${team} --calendar default`)).code).toBe(0);
    expect(scheduleGaps(f.ctx.calendars, december)).toHaveLength(1);
  });

  it("skips Thanksgiving in Los Angeles, a business day in Shanghai", async () => {
    expect((await pass(pacific("2026-11-25T09:30:00"))).sent).toEqual(["sales"]);
    expect((await pass(shanghai("2026-11-26T09:30:00"))).sent).toEqual(CN_TEAMS);
    const result = await pass(pacific("2026-11-26T09:30:00"));
    expect(result.teams.sales).toEqual({ day: "2026-11-26", skipped: "day-off" });
    expect(result.sent).toEqual([]);
  });

  it("counts an account owned by the US team stalled by US business days", async () => {
    // Wed 25 Nov 10:00 in Los Angeles; Thanksgiving and the day after are holidays in California, so its
    // 1-business-day SLA runs out on Monday 30 Nov 10:00, where Shanghai's calendar would say Thursday.
    const { id, owner } = await mqlAt(f, "Pacific Lead Co", pacific("2026-11-25T10:00:00"));
    const at = async (when: Date) => {
      f.clock.set(when);
      return {
        digest: (await buildDigest(f.ctx, "sales", { locale: "en" })).text,
        mine: (await runCommand(f.ctx, f.members[owner]!, "lead mine", { platform: "cli" })).text,
      };
    };
    const friday = await at(pacific("2026-11-27T12:00:00"));
    expect(friday.digest).not.toContain("Pacific Lead Co");
    expect(friday.mine).toMatch(/Pacific Lead Co — MQL$/m);
    const monday = await at(pacific("2026-11-30T10:00:00"));
    expect(monday.digest).toMatch(new RegExp(`#${id} Pacific Lead Co · .* · 1 business day in MQL, SLA 1`));
    expect(monday.digest).toContain("Sales daily digest · 2026-11-30");
    expect(monday.mine).toMatch(/Pacific Lead Co — MQL ⏰/);
  });

  it("keeps the previous setting when the new one is wrong, and says what is wrong", async () => {
    const unknown = await cli(f.ctx, "teams set sales --calendar xx-yy");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Unknown calendar "xx-yy"');
    const zone = await cli(f.ctx, "teams set sales --tz America/Springfield");
    expect(zone.code).toBe(2);
    expect(zone.err).toContain('Unknown timezone "America/Springfield"');
    const file = path.join(os.tmpdir(), `funnelbot-bad-calendar-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(file, "base: cn\nholidays:\n  - 2027-02-10\n  - 2027-02-30\nworkdays:\n  - 2027-02-10\n");
    const bad = await cli(f.ctx, `teams set sales --calendar ${file}`);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${file}:4: holidays.1: days are real dates written YYYY-MM-DD ("2027-02-30")`);
    expect(bad.err).toContain(`${file}:6: workdays.0: 2027-02-10 is both a holiday and a workday`);
    const team = await f.db.prisma.team.findUniqueOrThrow({ where: { key: "sales" }, select: { calendar: true, timezone: true } });
    expect(team).toEqual({ calendar: "us-ca", timezone: "America/Los_Angeles" });
  });

  it("shows a month with the team's holidays, and mainland China's with its make-up workdays", async () => {
    const us = await cli(f.ctx, "calendar show 2026-11 --team sales");
    expect(us.code).toBe(0);
    expect(us.out).toContain("2026-11 · calendar us-ca · America/Los_Angeles · team sales");
    expect(us.out).toContain("2026-11-26 Thu  holiday  Thanksgiving Day");
    expect(us.out).toMatch(/ 23 +24 +25 +26h +27h +\(28\) +\(29\)/);
    const cn = await cli(f.ctx, "calendar show 2026-10");
    expect(cn.out).toContain("2026-10 · calendar cn · Asia/Shanghai");
    expect(cn.out).toMatch(/ 5h +6h +7h +8 +9 +10w +\(11\)/);
    expect(cn.out).toContain("2026-10-10 Sat  workday  国庆节 National Day");
    expect(cn.out).toContain("2026-10-01 Thu  holiday  国庆节 National Day");
    expect((await cli(f.ctx, "calendar show 2026-13")).code).toBe(2);
    expect((await cli(f.ctx, "calendar show 2026-10 --team nobody")).err).toContain('No team "nobody"');
  });
});

describe.each(testDatabases())("a year without a published schedule on $name", ({ url }) => {
  let f: Fixture;
  let fixed: ServiceContext;
  beforeAll(async () => {
    f = await openFixture(await url());
    // Next year's schedule, as an admin supplies it while the package has none.
    const file = path.join(os.tmpdir(), `funnelbot-cn-2027-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(file, [
      "years: [2027]",
      "holidays: [2027-01-01, 2027-01-02, 2027-01-03, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12, 2027-02-13]",
      "workdays: [2027-02-14]",
    ].join("\n"));
    const calendars = teamCalendars({ FUNNEL_CALENDAR: file, TZ: undefined }, f.clock.read());
    await calendars.refresh(f.ctx, f.clock.read());
    fixed = { ...f.ctx, calendar: calendars.default, calendars };
  });
  afterAll(async () => f?.close());

  const adminMessages = async () => (await f.db.prisma.outboxMessage.findMany({ where: { targetKind: "member", target: String(f.members.admin!.id) } }))
    .map((r) => (JSON.parse(r.payload) as { reply: { text: string } }).reply.text);

  it("is not missing before December: the installed data carries 2026", async () => {
    expect(scheduleGaps(f.ctx.calendars, shanghai("2026-11-30T23:59:00"))).toEqual([]);
    expect((await cli({ ...f.ctx, clock: () => shanghai("2026-11-30T10:00:00") }, "calendar check")).code).toBe(0);
  });

  it("from 1 December: a warning, the admins told once across replicas, a digest footer line and calendar check failing", async () => {
    f.clock.set(shanghai("2026-12-01T10:00:00"));
    const logged: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void logged.push(line) });
    const before = await lastId(f);
    for (const workerId of ["replica-1", "replica-2"]) {
      const scheduler = startScheduler(f.ctx, { log, workerId, digestTime: "09:30" });
      await scheduler.ready;
      await scheduler.stop();
    }
    const warnings = logged.map((l) => JSON.parse(l) as { level: number; msg: string; calendar?: string; year?: number }).filter((l) => l.calendar === "cn");
    expect(warnings).toHaveLength(2); // one per process start
    expect(warnings[0]).toMatchObject({ level: 40, year: 2027, msg: expect.stringContaining("no published 2027 holiday schedule for calendar cn") });
    const told = await adminMessages();
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("No published 2027 holiday schedule for calendar cn (teams: cs, marketing, sales, support)");
    expect(told[0]).toContain("npm update chinese-days");
    expect(told[0]).toContain("years: [2027]");
    // A third process, later, still says nothing more to the admins.
    await announceScheduleGaps(f.ctx, f.ctx.calendars, shanghai("2026-12-02T10:00:00"), pino({ level: "silent" }));
    expect(await adminMessages()).toHaveLength(1);

    const digests = await queued(f, before);
    expect(digests.map((d) => d.team)).toEqual(["marketing", "sales", "cs", "support"]);
    expect(digests.find((d) => d.team === "sales")!.text).toContain("⚠️ No published 2027 holiday schedule for calendar cn: 2027 counts weekends only");
    expect(digests.find((d) => d.team === "marketing")!.text).toContain("⚠️ 日历 cn 没有已发布的 2027 年节假日安排");

    const check = await cli(f.ctx, "calendar check");
    expect(check.code).toBe(1);
    expect(check.err).toContain("Calendar cn has no published 2027 holiday schedule");
    expect(check.out).toMatch(/^cn +Asia\/Shanghai +✗ no published 2027 schedule/m);
  });

  it("counts the missing year as weekends only, and says so", async () => {
    // 2027-02-08 is a Monday of the Spring Festival, unknown to the installed data.
    const show = await cli(f.ctx, "calendar show 2027-02");
    expect(show.out).toContain("⚠️ No published 2027 schedule for calendar cn: weekends only");
    expect(show.out).toMatch(/ 8 +9 +10 +11 +12 +\(13\) +\(14\)/);
    expect(show.out).toContain("20 business days");
  });

  it("goes quiet with a 2027 file supplied: no gap, no message, no footer, calendar check passes", async () => {
    f.clock.set(shanghai("2026-12-01T10:00:00"));
    expect(scheduleGaps(fixed.calendars, f.clock.read())).toEqual([]);
    const logged: string[] = [];
    expect(await announceScheduleGaps(fixed, fixed.calendars, f.clock.read(), pino({ level: "warn" }, { write: (l: string) => void logged.push(l) }))).toEqual([]);
    expect(logged).toEqual([]);
    expect((await buildDigest(fixed, "sales", { locale: "en" })).text).not.toContain("No published");
    const check = await cli(fixed, "calendar check");
    expect(check).toMatchObject({ code: 0, err: "" });
    expect(check.out).toMatch(/^cn +Asia\/Shanghai +✓ published through 2027/m);
    const show = await cli(fixed, "calendar show 2027-02");
    expect(show.out).toMatch(/ 8h +9h +10h +11h +12h +13h +14w/);
    expect(show.out).not.toContain("⚠️");
  });
});
