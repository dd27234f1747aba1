/**
 * The commands benchmark: `/lead accept` on distinct MQLs, signed as Slack signs, fired by autocannon (its
 * own process) at the real server (`src/main.ts`, its own process) and, level by level in the same run, at a
 * bare Bolt app whose handler only acks (bench/bare-bolt.ts), and at the floor: a bare Bolt app doing the same
 * reads, writes and card update straight on the driver (bench/floor-bolt.ts). Every MQL has a card posted in
 * the sales channel, so each accept also updates one message on the fake Slack. Every accepted MQL is checked
 * in the database afterwards, so the figures are for requests that really changed state.
 */
import { migrate, openDatabase } from "../src/store/database.js";
import { upsertMember, type MemberRecord } from "../src/store/members.js";
import { upsertTeam } from "../src/store/teams.js";
import { FakeSlack } from "../test/support/fake-slack.js";
import { startServer, type ServerProcess } from "../test/support/processes.js";
import { runLoad, type LoadResult } from "./processes.js";

const SECRET = "bench-signing-secret-0123456789abcdef";
/** The MQLs are spread over this many reps, each accepting their own, as a sales team would. */
const REPS = 20;
const repOf = (index: number) => `U_BENCH_REP_${index % REPS}`;

/** One load level: the real server, the bare app and the floor app under the same load. */
export interface CommandLevel {
  readonly connections: number;
  readonly bot: LoadResult;
  readonly bare: LoadResult;
  readonly floor: LoadResult;
  /** Server CPU (user + system, /proc) per accept answered 2xx, its card update included: from the level's start until the outbox was drained. */
  readonly botCpuMs: number | null;
  readonly floorCpuMs: number | null;
  /** How long after the load stopped the outbox still took to send what the level queued. */
  readonly botDrainMs: number;
  readonly floorDrainMs: number;
}

/** Everything the commands benchmark measured on one database. */
export interface CommandFigures {
  readonly levels: readonly CommandLevel[];
  readonly botStartupMs: number;
  readonly bareStartupMs: number;
  readonly botPeakRss: number | null;
  readonly barePeakRss: number | null;
  readonly floorPeakRss: number | null;
  /** Requests that returned 2xx to the bot and the floor app, and MQLs that are SAL afterwards: equal when nothing was lost. */
  readonly accepted: number;
  readonly acceptedInDb: number;
}

/** A migrated database with a sales team of REPS reps on Slack and `count` MQLs, dealt to the reps in turn. */
export async function seedMqls(url: string, count: number): Promise<(readonly [string, string, string])[]> {
  const db = await openDatabase(url);
  try {
    await migrate(db, url);
    await upsertTeam(db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    await upsertTeam(db, { key: "marketing", name: "Marketing", slackChannel: "C_MKT" });
    const reps: MemberRecord[] = [];
    for (let r = 0; r < REPS; r++) reps.push(await upsertMember(db, { handle: `rep${r}`, displayName: `Bench Rep ${r}`, teamKey: "sales", role: "rep", locale: "en", slackUserId: repOf(r) }));
    await upsertMember(db, { handle: "mia", displayName: "Mia", teamKey: "marketing", role: "manager", locale: "en" });
    const now = new Date();
    const first = (await db.prisma.account.count()) + 1;
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start);
      await db.prisma.account.createMany({
        data: Array.from({ length: n }, (_, i) => ({
          company: `Bench Lead ${first + start + i}`, domain: `lead${first + start + i}.bench.example`, stage: "MQL",
          stageEnteredAt: now, lastActivityAt: now, ownerId: reps[(start + i) % REPS]!.id,
        })),
      });
    }
    const accounts = await db.prisma.account.findMany({ where: { stage: "MQL" }, select: { id: true, owner: { select: { identities: { where: { platform: "slack" }, select: { externalId: true } } } } }, orderBy: { id: "asc" } });
    const ids = accounts.map((a) => a.id);
    // Each MQL gets the event that made it one, so "stage = last event" holds before and after the run.
    for (let start = 0; start < ids.length; start += 1000) {
      await db.prisma.stageEvent.createMany({
        data: ids.slice(start, start + 1000).map((accountId) => ({ accountId, kind: "transition", fromStage: "LEAD", toStage: "MQL", at: now, platform: "cli" })),
      });
      // The MQL card in the sales channel, which the accept updates in place.
      await db.prisma.postedCard.createMany({
        data: ids.slice(start, start + 1000).map((accountId) => ({ accountId, platform: "slack", channel: "C_SALES", ref: `1700000000.${String(accountId).padStart(6, "0")}`, createdAt: now })),
      });
    }
    return accounts.map((a) => [a.owner!.identities[0]!.externalId, "/lead", `accept #${a.id}`] as const);
  } finally {
    await db.close();
  }
}

async function countSal(url: string): Promise<number> {
  const db = await openDatabase(url);
  try {
    return await db.prisma.account.count({ where: { stage: "SAL" } });
  } finally {
    await db.close();
  }
}

/** Runs the benchmark on the (empty) database at `url`. */
export async function benchCommands(url: string, options: { levels: readonly number[]; durationSec: number; mqls: number; log: (line: string) => void }): Promise<CommandFigures> {
  const commands = await seedMqls(url, options.mqls);
  const fake = new FakeSlack();
  await fake.start();
  let bot: ServerProcess | null = null;
  let bare: ServerProcess | null = null;
  let floor: ServerProcess | null = null;
  try {
    // The digest time is moved out of the run: this benchmark measures commands, the digest one digests.
    bot = await startServer("src/main.ts", {
      DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-bench", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: "warn", FUNNEL_DIGEST_TIME: "23:59",
    });
    bare = await startServer("bench/bare-bolt.ts", { SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
    floor = await startServer("bench/floor-bolt.ts", { DATABASE_URL: url, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });
    const db = await openDatabase(url);
    /** Runs a level against a server that writes, then waits until its outbox is empty: CPU per accept and the drain's length. */
    const measured = async (server: ServerProcess, run: () => Promise<LoadResult>) => {
      const cpuBefore = server.cpuMs();
      const result = await run();
      const stopped = performance.now();
      for (let waited = 0; waited < 120_000 && (await db.prisma.outboxMessage.count({ where: { status: "pending" } })) > 0; waited += 50) await new Promise((r) => setTimeout(r, 50));
      const drainMs = performance.now() - stopped;
      const cpuAfter = server.cpuMs();
      const accepted = result.requests - result.non2xx - result.errors;
      return { result, drainMs, cpuMs: cpuBefore === null || cpuAfter === null || accepted === 0 ? null : (cpuAfter - cpuBefore) / accepted };
    };
    let cursor = 0;
    const take = (n: number) => {
      const slice = commands.slice(cursor, cursor + n);
      cursor += slice.length;
      return slice;
    };
    const fire = (server: ServerProcess, connections: number, seconds: number, list: readonly (readonly [string, string, string])[], cycle = false) =>
      runLoad({ url: server.url, secret: SECRET, connections, durationSec: seconds, commands: list, responseBase: fake.url, cycle });
    // Warm-up: both JITs and the database's caches, with accounts of their own.
    await fire(bare, 10, 1, commands, true);
    const warm = Math.min(1500, Math.floor(commands.length / 8));
    const warmups = [await fire(floor, 10, 1, take(Math.floor(warm / 2))), await fire(bot, 10, 1, take(warm))];
    const warmed = cursor;
    const levels: CommandLevel[] = [];
    for (const connections of options.levels) {
      options.log(`  ${connections} connection(s)…`);
      // The bare app gets the same bodies; it changes nothing, so it may go round them again.
      const bareResult = await fire(bare, connections, options.durationSec, commands, true);
      // Each level's MQLs are shared out evenly between the floor app and the bot.
      const budget = Math.floor((commands.length - warmed) / options.levels.length);
      const floorRun = await measured(floor, () => fire(floor!, connections, options.durationSec, take(Math.floor(budget / 2))));
      const botRun = await measured(bot, () => fire(bot!, connections, options.durationSec, take(budget - Math.floor(budget / 2))));
      levels.push({
        connections, bot: botRun.result, bare: bareResult, floor: floorRun.result,
        botCpuMs: botRun.cpuMs, floorCpuMs: floorRun.cpuMs, botDrainMs: botRun.drainMs, floorDrainMs: floorRun.drainMs,
      });
    }
    await db.close();
    const accepted = [...warmups, ...levels.flatMap((l) => [l.bot, l.floor])].reduce((sum, r) => sum + r.requests - r.non2xx - r.errors, 0);
    return {
      levels, botStartupMs: bot.startupMs, bareStartupMs: bare.startupMs, botPeakRss: bot.peakRss(), barePeakRss: bare.peakRss(), floorPeakRss: floor.peakRss(),
      accepted, acceptedInDb: 0,
    };
  } finally {
    await bot?.stop();
    await bare?.stop();
    await floor?.stop();
    await fake.stop();
  }
}

/** The same figures with the database's count of accepted MQLs filled in (after the server has stopped). */
export async function withDbCheck(url: string, figures: CommandFigures): Promise<CommandFigures> {
  return { ...figures, acceptedInDb: await countSal(url) };
}
