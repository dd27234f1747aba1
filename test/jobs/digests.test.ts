import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestTeams, runDigests, type DigestPass } from "../../src/jobs/digests.js";
import { startScheduler } from "../../src/jobs/scheduler.js";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import type { ServiceContext } from "../../src/services/context.js";
import { openDatabase, type Database } from "../../src/store/database.js";
import { claimDigest, digestRun } from "../../src/store/digest-runs.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

/** An instant given as Shanghai wall-clock time; the tests run under TZ=UTC, so this proves the zone is honoured. */
const shanghai = (local: string) => new Date(`${local}+08:00`);

describe.each(testDatabases())("daily digests on $name", ({ name, url }) => {
  let f: Fixture;
  let dbUrl: string;
  beforeAll(async () => {
    dbUrl = await url();
    f = await openFixture(dbUrl);
  });
  afterAll(async () => f?.close());

  const teams = () => digestTeams(f.ctx.playbook);
  const pass = (now: Date, workerId = "w1", ctx: ServiceContext = f.ctx) => runDigests(ctx, { now, workerId, digestTime: "09:30" });
  /** A pass where every team is on the same calendar, as one day and one reason. */
  const summary = async (done: Promise<DigestPass>) => {
    const { sent, teams: states } = await done;
    const all = Object.values(states);
    expect(new Set(all.map((s) => `${s.day} ${s.skipped}`)).size).toBe(1);
    return { day: all[0]!.day, sent, skipped: all[0]!.skipped };
  };

  /** Digest messages queued for a team after outbox row `after`. */
  async function queued(after = 0): Promise<{ team: string; text: string }[]> {
    const rows = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: after }, targetKind: "team", NOT: { payload: { contains: "\"kind\":\"image\"" } } }, orderBy: { id: "asc" } });
    return rows.map((r) => ({ team: r.target, text: (JSON.parse(r.payload) as { reply: { text: string } }).reply.text }));
  }
  const lastId = async () => (await f.db.prisma.outboxMessage.aggregate({ _max: { id: true } }))._max.id ?? 0;

  it("goes to every team that owns a stage, once each", () => {
    expect(teams()).toEqual(["marketing", "sales", "cs", "support"]);
  });

  it("is not sent on a public holiday (National Day, Thu 1 Oct) nor on a weekend, even after 09:30", async () => {
    const before = await lastId();
    expect(await summary(pass(shanghai("2026-10-01T10:00:00")))).toEqual({ day: "2026-10-01", sent: [], skipped: "day-off" });
    expect(await summary(pass(shanghai("2026-11-21T10:00:00")))).toEqual({ day: "2026-11-21", sent: [], skipped: "day-off" });
    expect(await queued(before)).toEqual([]);
    expect(await f.db.prisma.digestRun.count({ where: { day: { in: ["2026-10-01", "2026-11-21"] } } })).toBe(0);
  });

  it("is sent on a make-up workday (调休 Saturday 10 Oct) at 09:30 local, in each team's language", async () => {
    const before = await lastId();
    const result = await summary(pass(shanghai("2026-10-10T09:30:00")));
    expect(result).toEqual({ day: "2026-10-10", sent: teams(), skipped: null });
    const digests = await queued(before);
    expect(digests.map((d) => d.team)).toEqual(teams());
    // The fixture's marketing team reads Chinese; the others English.
    expect(digests.find((d) => d.team === "marketing")!.text).toContain("市场部每日摘要 · 2026-10-10");
    expect(digests.find((d) => d.team === "sales")!.text).toContain("Sales daily digest · 2026-10-10");
    expect((await digestRun(f.db, "sales", "2026-10-10"))?.sentAt).toEqual(shanghai("2026-10-10T09:30:00"));
  });

  it("waits for 09:30 in the calendar's timezone, not the server's (UTC here)", async () => {
    const before = await lastId();
    // Sunday 23:00 UTC is Monday 07:00 in Shanghai: a business day, but too early.
    expect(await summary(pass(new Date("2026-11-22T23:00:00Z")))).toEqual({ day: "2026-11-23", sent: [], skipped: "too-early" });
    expect(await summary(pass(shanghai("2026-11-23T09:29:59")))).toMatchObject({ sent: [], skipped: "too-early" });
    expect(await queued(before)).toEqual([]);
    // 01:30 UTC is 09:30 in Shanghai.
    expect((await pass(new Date("2026-11-23T01:30:00Z"))).sent).toEqual(teams());
    expect((await queued(before)).map((d) => d.team)).toEqual(teams());
  });

  it("goes out exactly once per team when several workers race for it (on PostgreSQL, from separate connection pools)", async () => {
    // SQLite is one process's file: its workers share the one connection (better-sqlite3 waits for a lock
    // synchronously, so two connections in one process could only deadlock each other). PostgreSQL replicas
    // each have their own pool.
    const others: Database[] = name === "PostgreSQL" ? [await openDatabase(dbUrl), await openDatabase(dbUrl)] : [];
    try {
      const contexts = [f.ctx, ...others.map((db) => ({ ...f.ctx, db }))];
      const before = await lastId();
      const now = shanghai("2026-11-24T09:30:00");
      const results = await Promise.all(contexts.flatMap((ctx, i) => [1, 2, 3].map((n) => pass(now, `w${i}-${n}`, ctx))));
      const winners = results.flatMap((r) => r.sent);
      expect([...winners].sort()).toEqual([...teams()].sort());
      const digests = await queued(before);
      expect(digests.map((d) => d.team).sort()).toEqual([...teams()].sort());
      // Later passes the same day, by anyone, add nothing.
      expect((await pass(shanghai("2026-11-24T16:00:00"), "late")).sent).toEqual([]);
      expect(await queued(before)).toHaveLength(teams().length);
    } finally {
      for (const db of others) await db.close();
    }
  });

  it("is caught up after downtime the same business day, and never carried over to the next", async () => {
    const before = await lastId();
    // Down at 09:30 on Wednesday; back at 11:00: the digest goes out then.
    expect((await pass(shanghai("2026-11-25T11:00:00"))).sent).toEqual(teams());
    expect((await queued(before)).map((d) => d.team)).toEqual(teams());
    // Thursday's first pass at 08:00 sends nothing, neither Wednesday's again nor Thursday's early.
    const thursday = await lastId();
    expect(await summary(pass(shanghai("2026-11-26T08:00:00")))).toMatchObject({ day: "2026-11-26", sent: [], skipped: "too-early" });
    expect(await queued(thursday)).toEqual([]);
  });

  it("takes over a claim whose worker died before queueing it, but not one still within its lease", async () => {
    const claimed = shanghai("2026-11-26T09:30:00");
    expect(await claimDigest(f.db, "sales", "2026-11-26", "dead-worker", claimed)).toBe(true);
    expect(await claimDigest(f.db, "sales", "2026-11-26", "other", claimed)).toBe(false);
    const before = await lastId();
    // Seconds later the claim may still be in progress: the others go out, sales waits.
    expect((await pass(new Date(claimed.getTime() + 5_000))).sent).toEqual(teams().filter((t) => t !== "sales"));
    expect((await queued(before)).map((d) => d.team)).not.toContain("sales");
    // Minutes later it is presumed dead, and the next pass sends it, once.
    expect((await pass(new Date(claimed.getTime() + 5 * 60_000), "rescuer")).sent).toEqual(["sales"]);
    expect((await pass(new Date(claimed.getTime() + 10 * 60_000), "rescuer-2")).sent).toEqual([]);
    expect((await queued(before)).filter((d) => d.team === "sales")).toHaveLength(1);
    expect((await digestRun(f.db, "sales", "2026-11-26"))?.claimedBy).toBe("rescuer");
  });

  it("runs at start from the scheduler (catch-up), in the calendar's timezone, and a restart sends nothing more", async () => {
    f.clock.set(shanghai("2026-11-27T10:15:00"));
    const before = await lastId();
    const log = pino({ level: "silent" });
    const first = startScheduler(f.ctx, { log, workerId: "replica-1", digestTime: "09:30" });
    await first.ready;
    await first.stop();
    expect((await queued(before)).map((d) => d.team)).toEqual(teams());
    const again = startScheduler(f.ctx, { log, workerId: "replica-2", digestTime: "09:30" });
    await again.ready;
    await again.stop();
    expect(await queued(before)).toHaveLength(teams().length);
    expect(() => startScheduler(f.ctx, { log, workerId: "x", digestTime: "9:30" })).toThrow(/HH:mm/);
  });

  it("prints a preview with `digest --dry-run`, and without it queues the digest once per day", async () => {
    f.clock.set(shanghai("2026-11-30T08:00:00"));
    const cli = async (line: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(line.split(" "), async () => f.ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    const before = await lastId();
    const preview = await cli("digest --team sales --dry-run");
    expect(preview.code).toBe(0);
    expect(preview.out).toContain("Sales daily digest · 2026-11-30");
    expect(await queued(before)).toEqual([]);
    const json = JSON.parse((await cli("digest --team sales --dry-run --json")).out) as { team: string; text: string };
    expect(json).toMatchObject({ team: "sales", text: expect.stringContaining("Sales daily digest") });
    expect(json.text).not.toContain("`");

    const sent = await cli("digest --team sales");
    expect(sent).toMatchObject({ code: 0, out: expect.stringContaining("Queued the sales digest for 2026-11-30") });
    expect((await queued(before)).map((d) => d.team)).toEqual(["sales"]);
    const repeat = await cli("digest --team sales");
    expect(repeat.code).toBe(1);
    expect(repeat.out).toContain("already queued");
    // The scheduler's pass at 09:30 sends the other teams' digests, not a second one for sales.
    expect((await pass(shanghai("2026-11-30T09:30:00"))).sent).toEqual(teams().filter((t) => t !== "sales"));
    expect((await queued(before)).filter((d) => d.team === "sales")).toHaveLength(1);
    expect((await cli("digest --team nobody")).err).toContain("--team must be one of marketing, sales, cs, support");
  });
});
