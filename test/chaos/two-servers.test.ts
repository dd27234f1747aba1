import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestTeams } from "../../src/jobs/digests.js";
import { runCommand } from "../../src/services/run-command.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshPostgresUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";
import { commandBody, postToBot } from "../support/fake-slack.js";
import { startServer, type ServerProcess } from "../support/processes.js";
import {
  cardTs, FORM, FULL, inconsistentAccounts, openProcessRig, pool, postCards, record, scale, SECRET, seedMqls, serverEnv, SLACK_IDS, slackDeliveries, waitUntil, type ProcessRig,
} from "./harness.js";

const DAY_MS = 86_400_000;
/** Every team's channel, so that each digest lands on the fake Slack where it can be counted. */
const CHANNELS: Record<string, string> = { marketing: "C_MKT", sales: "C_SALES", cs: "C_CS", support: "C_SUPPORT" };
/** How a digest reads on Slack: its title line ("☀️ Sales daily digest · …"). */
const DIGEST = /^☀️/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/**
 * The next whole minute at least `leadMs` away, as FUNNEL_DIGEST_TIME (the servers run in UTC): both servers'
 * digest timers fire at its first second. Never 00:00, so the start-up pass before it finds the day's digest
 * not yet due; near midnight it waits for the new day.
 */
async function nextDigestMinute(leadMs: number): Promise<{ time: string; at: number }> {
  for (;;) {
    const at = Math.ceil((Date.now() + leadMs) / 60_000) * 60_000;
    if (utcDay(at) === utcDay(Date.now()) && at % DAY_MS !== 0) return { time: new Date(at).toISOString().slice(11, 16), at };
    await sleep(at - Date.now() + 1_000);
  }
}

/**
 * Takes exclusive locks on `tables` in a transaction of its own; `release(n)` waits (bounded) until `n`
 * other sessions are queued behind them, then commits, letting them all go at the same instant.
 */
async function lockTables(url: string, tables: readonly string[]): Promise<{ release(waiters: number): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`LOCK TABLE ${tables.map((t) => `"${t}"`).join(", ")} IN ACCESS EXCLUSIVE MODE`);
  const waiting = async () => (await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = ANY($1::regclass[])`, [tables.map((t) => `"${t}"`)],
  )).rows[0]!.n;
  return {
    release: async (waiters) => {
      try {
        if (!(await waitUntil(async () => (await waiting()) >= waiters, 10_000))) throw new Error(`only ${await waiting()} of ${waiters} sessions reached the barrier`);
      } finally {
        await client.query("COMMIT");
        await client.end();
      }
    },
  };
}

// Two real servers (separate processes: their own pids and worker ids, Prisma clients, connection pools and
// event loops, as replicas behind a load balancer have) on one PostgreSQL database, each with its scheduler
// and outbox worker. The day's digest comes due on both at once: in `npm test` from their simultaneous
// start (the start-up catch-up pass), at full scale from both digest timers firing on the same minute.
// Meanwhile commands are split across them, and some are delivered to both, as a Slack retry that the load
// balancer sends to the other replica would be.
describe.runIf(postgresAvailable())("chaos: two servers on one PostgreSQL database", () => {
  let dbUrl: string;
  let rig: ProcessRig;
  let calendar: string;
  beforeAll(async () => {
    dbUrl = await freshPostgresUrl();
    markPostgresRan();
    // Slow card updates keep a backlog in the outbox, so both workers have rows to fight over.
    rig = await openProcessRig(dbUrl, { cardUpdateDelayMs: 5 });
    for (const [key, channel] of Object.entries(CHANNELS)) await upsertTeam(rig.f.db, { key, name: key, slackChannel: channel });
    // Every day around now is a working day, whatever day of the week the suite runs on; no country's holidays.
    calendar = path.join(os.tmpdir(), `funnelbot-chaos-calendar-${process.pid}-${Date.now()}.json`);
    const days = [-1, 0, 1, 2].map((d) => utcDay(Date.now() + d * DAY_MS));
    writeFileSync(calendar, JSON.stringify({ base: "none", timezone: "UTC", holidays: [], workdays: days }));
  });
  afterAll(async () => rig?.close());

  it("sends one digest per team, drains the outbox once, and loses no command", async () => {
    const { f, slack, servers } = rig;
    const commands = scale(100, 1000);
    const ids = await seedMqls(f, commands);
    await postCards(f, ids);
    // A backlog both servers find on start: accepts made (through the same service) while neither was up.
    const backlog = ids.slice(0, scale(40, 100));
    for (const id of backlog) {
      const reply = await runCommand(f.ctx, f.members.alice!, `/lead accept #${id}`, { platform: "cli", key: `chaos:backlog:${id}` });
      if (!reply.text.startsWith("✅")) throw new Error(`backlog accept of #${id} failed: ${reply.text}`);
    }
    const trigger = FULL ? await nextDigestMinute(25_000) : null;
    const env = serverEnv(dbUrl, slack, { FUNNEL_CALENDAR: calendar, FUNNEL_DIGEST_TIME: trigger?.time ?? "00:00" });
    // The servers' first outbox passes (and, without timers to line them up, their start-up digest passes)
    // meet at a barrier: the tables are locked, as a slow database would hold them, until both servers wait
    // on them, then released at once, so both workers go for the same batch and both passes for the same digests.
    const locked = trigger ? ["OutboxMessage"] : ["OutboxMessage", "DigestRun"];
    const barrier = await lockTables(dbUrl, locked);
    const [a, b] = await Promise.all([startServer("src/main.ts", env), startServer("src/main.ts", env)]);
    servers.push(a!, b!);
    await barrier.release(2 * locked.length);
    // At full scale the commands are under way when the digest timers fire.
    if (trigger) await sleep(trigger.at - Date.now() - 3_000);

    const statuses = (await pool(16, ids.slice(backlog.length).map((id, i) => async () => {
      const [here, there] = i % 2 === 0 ? [a!, b!] : [b!, a!];
      const body = commandBody(slack, { command: "/lead", text: `accept #${id}`, userId: SLACK_IDS[i % 3 === 0 ? "sam" : "alice"]! });
      const events = (server: ServerProcess) => `${server.url}/slack/events`;
      const answers = await Promise.all([
        postToBot(events(here), SECRET, body, FORM),
        ...(i % 5 === 0 ? [postToBot(events(there), SECRET, body, FORM, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })] : []),
      ]);
      return answers.map((r) => r.status);
    }))).flat();

    const teams = digestTeams(f.ctx.playbook);
    const day = utcDay(trigger?.at ?? Date.now());
    const digestsQueued = () => f.db.prisma.digestRun.count({ where: { day, sentAt: { not: null } } });
    await waitUntil(async () => (await digestsQueued()) >= teams.length, trigger ? Math.max(0, trigger.at - Date.now()) + 20_000 : 10_000);
    const pending = () => f.db.prisma.outboxMessage.count({ where: { status: "pending" } });
    await waitUntil(async () => (await pending()) === 0, 20_000);
    await Promise.all([a!.stop(), b!.stop()]);

    const accepted = new Map((await f.db.prisma.stageEvent.groupBy({ by: ["accountId"], where: { toStage: "SAL", accountId: { gte: ids[0]!, lte: ids.at(-1)! } }, _count: { _all: true } })).map((g) => [g.accountId, g._count._all]));
    const lostCommands = ids.filter((id) => !accepted.has(id)).length;
    const doubleMoves = [...accepted.values()].reduce((n, c) => n + c - 1, 0);
    const delivered = slackDeliveries(slack);
    const lostMessages = ids.filter((id) => !delivered.has(`update C_SALES ${cardTs(id)}`)).length;
    const repeats = [...delivered].filter(([, n]) => n > 1);
    const digests = teams.map((team) => slack.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === CHANNELS[team] && DIGEST.test(String(c.body.text))).length);
    const stuck = await pending();
    const parked = await f.db.prisma.outboxMessage.count({ where: { status: "parked" } });
    const inconsistent = await inconsistentAccounts(f);
    const failures = statuses.filter((s) => s !== 200).length + inconsistent.length + stuck + parked;
    record({
      scenario: "two servers on one PostgreSQL", cases: statuses.length + teams.length * 2, failures,
      lost: lostCommands + lostMessages + digests.filter((n) => n === 0).length,
      // A second digest of a team is among the repeated posts.
      duplicates: doubleMoves + repeats.reduce((n, [, c]) => n + c - 1, 0),
    });

    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(inconsistent).toEqual([]);
    expect({ lostCommands, doubleMoves, lostMessages, stuck, parked }).toEqual({ lostCommands: 0, doubleMoves: 0, lostMessages: 0, stuck: 0, parked: 0 });
    expect(repeats).toEqual([]);
    expect(digests).toEqual(teams.map(() => 1));
    // Both workers delivered part of the outbox: the claims were really contended.
    const workers = await f.db.prisma.outboxMessage.groupBy({ by: ["claimedBy"], where: { status: "sent" }, _count: { _all: true } });
    expect(workers.filter((w) => w.claimedBy !== null).length).toBe(2);
  });
});
