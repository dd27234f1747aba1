/**
 * The digest benchmark of issue 5, on one seeded database: a single hand-written SQL query that selects
 * the stalled accounts for all teams (the baseline), the product's stalled-account query for every team,
 * and the whole digest of every team through the real services, each timed in the same run (medians
 * after a warm-up, interleaved so drift hits them alike). Peak memory is measured in a child process
 * (digest-memory.ts) that only opens the database and builds the digests.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { chartRenderer } from "../src/charts/renderer.js";
import { loadEnv } from "../src/config/env.js";
import { providerOf, sqliteFileFromUrl, type DatabaseProvider } from "../src/config/database-url.js";
import { channelMilestones, lastDays, monthsIn, openStages, weekSpans } from "../src/domain/figures.js";
import type { Playbook } from "../src/domain/playbook.js";
import { stallRules, type StallRule } from "../src/domain/stalled.js";
import type { ServiceContext } from "../src/services/context.js";
import { buildDigest, DIGEST_CONVERSION_DAYS } from "../src/services/digest.js";
import { chartBlock, chartData, teamChartFigures } from "../src/services/funnel-chart.js";
import { TREND_WEEKS } from "../src/services/manager-figures.js";
import { loadFunnelData, TIME_IN_STAGE_DAYS } from "../src/services/funnel-summary.js";
import { countByStage, medianMoveTimeByActor, movesSince, timeInStage } from "../src/store/funnel.js";
import { amountsByCurrency, movedAmounts } from "../src/store/figures.js";
import { stalledAccounts } from "../src/store/stalled.js";
import { openContext } from "../src/wiring.js";
import { BENCH_NOW } from "./now.js";
import { serverNodeFlags } from "../test/support/processes.js";

const DAY_MS = 86_400_000;
/** How many accounts per stage the product's stalled query returns (stalledAccounts' default). */
const PER_STAGE = 30;

/** How many times each measured step runs. */
export interface Rounds {
  readonly warmup: number;
  readonly runs: number;
}

/** One step of a digest, timed alone, and how often building every team's digest runs it. */
export interface Part {
  readonly name: string;
  readonly ms: number;
  readonly calls: number;
}

/** What the digest benchmark measured on one database (medians, in milliseconds). */
export interface DigestFigures {
  readonly provider: DatabaseProvider;
  /** The baseline: one query giving what the digests list, per stage the count and the 30 longest-waiting. */
  readonly baselineMs: number;
  /** The same result from one query with window functions, for reference. */
  readonly windowMs: number;
  /** One query returning every stalled account, for reference. */
  readonly allRowsMs: number;
  readonly stalledTotal: number;
  /** stallRules + stalledAccounts for every team, as buildDigest calls them. */
  readonly stalledMs: number;
  /** buildDigest for every team, all at once beside their shared data, as the morning run builds them. */
  readonly digestsMs: number;
  readonly perTeamMs: ReadonlyMap<string, number>;
  /**
   * Every team's chart as the morning run makes it (src/jobs/digests.ts): its figures (a window of 8 weeks,
   * trends and channels; `chartFiguresMs`) and the picture drawn to PNG (`chartRenderMs`), team after team, in the
   * renderer's process, started cold each time as each morning (ahead, while the figures load).
   */
  readonly chartFiguresMs: number;
  readonly chartRenderMs: number;
  /** A second baseline: hand-written statements on the raw driver for the raw material of every team's chart figures. */
  readonly figuresBaselineMs: number;
  readonly parts: readonly Part[];
  /** Disagreements between the baseline and the product's stalled lists; empty when they match. */
  readonly mismatches: readonly string[];
}

/** The stages whose stalled accounts each team's digest lists, exactly as buildDigest picks them (the team leads them). */
function ownedStages(playbook: Playbook, team: string): string[] {
  return playbook.stages.filter((s) => s.teams[0] === team).map((s) => s.code);
}

/** Runs a hand-written query on the raw driver (better-sqlite3 or pg), beside the product's Prisma client. */
interface RawDatabase {
  readonly provider: DatabaseProvider;
  all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function openRaw(url: string): Promise<RawDatabase> {
  const provider = providerOf(url);
  if (provider === "sqlite") {
    const db = new Sqlite(sqliteFileFromUrl(url), { readonly: true });
    return { provider, all: async (sql, params) => db.prepare(sql).all(...params) as Record<string, unknown>[], close: async () => void db.close() };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return { provider, all: async (sql, params) => (await client.query(sql, [...params])).rows, close: () => client.end() };
}

/** Which hand-written query: see stalledSql. */
export type BaselineShape = "per-stage" | "window" | "all";

/**
 * Hand-written SQL for every stall rule at once, with the same conditions as stalledAccounts (per stage: in
 * the stage since the SLA cutoff or idle since the idle cutoff, and no next step still ahead), in one
 * statement. `per-stage` (the baseline) returns what the digests use — each stage's count and its 30
 * longest-waiting accounts with their owner — as a UNION ALL of one index-ordered branch per stage;
 * `window` returns the same with window functions over every stalled account; `all` returns every
 * stalled account.
 */
export function stalledSql(provider: DatabaseProvider, rules: readonly StallRule[], now: Date, shape: BaselineShape): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return provider === "sqlite" ? "?" : `$${params.length}`;
  };
  // Written as the Prisma adapters write DateTime, so the comparisons are the ones the product makes.
  const time = (d: Date) => (provider === "sqlite" ? d.toISOString().replace("Z", "+00:00") : d.toISOString().slice(0, 23).replace("T", " "));
  const condition = (rule: StallRule) => {
    const stage = param(rule.stage);
    const when = [
      ...(rule.enteredBefore ? [`a."stageEnteredAt" <= ${param(time(rule.enteredBefore))}`] : []),
      ...(rule.idleBefore ? [`a."lastActivityAt" <= ${param(time(rule.idleBefore))}`] : []),
    ];
    return `a."stage" = ${stage} AND (${when.join(" OR ")}) AND (a."nextStepAt" IS NULL OR a."nextStepAt" <= ${param(time(now))})`;
  };
  const live = rules.filter((rule) => rule.enteredBefore || rule.idleBefore);
  const columns = `a."id", a."company", a."stage", a."stageEnteredAt", a."lastActivityAt", a."nextStepAt", a."nextStepNote", a."ownerId"`;
  if (shape === "per-stage") {
    const branches = live.map((rule) => `SELECT b.*, m."displayName" AS "ownerName", (SELECT COUNT(*) FROM "Account" a WHERE ${condition(rule)}) AS "total"
      FROM (SELECT ${columns} FROM "Account" a WHERE ${condition(rule)} ORDER BY a."stageEnteredAt", a."id" LIMIT ${PER_STAGE}) b
      LEFT JOIN "Member" m ON m."id" = b."ownerId"`);
    return { sql: branches.join("\nUNION ALL\n"), params };
  }
  const where = live.map((rule) => `(${condition(rule)})`).join(" OR ");
  if (shape === "all") {
    return { sql: `SELECT ${columns}, m."displayName" AS "ownerName" FROM "Account" a LEFT JOIN "Member" m ON m."id" = a."ownerId" WHERE ${where}`, params };
  }
  const sql = `SELECT s.*, m."displayName" AS "ownerName" FROM (
      SELECT ${columns},
        ROW_NUMBER() OVER (PARTITION BY a."stage" ORDER BY a."stageEnteredAt", a."id") AS "rank",
        COUNT(*) OVER (PARTITION BY a."stage") AS "total"
      FROM "Account" a WHERE ${where}
    ) s LEFT JOIN "Member" m ON m."id" = s."ownerId"
    WHERE s."rank" <= ${PER_STAGE}`;
  return { sql, params };
}

/**
 * Hand-written SQL for what every team's chart figures are computed from (eight weeks, the period before, the
 * forecast, the channels, the reps), each statement once for all teams, as a fair floor for the figures: moves
 * by piece of the period and weeks, actor, from and to; time in stage with its median; counts and amounts per
 * stage; the forecast's amounts and the week's moved amounts; each channel's cohort reach, wins and spend; the
 * reps' pipeline, speed to lead (two periods) and overdue accounts. The product's own figures come from the
 * same kind of statements through Prisma, and fold them per team.
 */
export function figuresSql(provider: DatabaseProvider, playbook: Playbook, rules: readonly StallRule[], now: Date, weeks = 8): { sql: string; params: unknown[] }[] {
  const time = (d: Date) => (provider === "sqlite" ? d.toISOString().replace("Z", "+00:00") : d.toISOString().slice(0, 23).replace("T", " "));
  const statement = (build: (param: (value: unknown) => string) => string) => {
    const params: unknown[] = [];
    const sql = build((value) => {
      params.push(value instanceof Date ? time(value) : value);
      return provider === "sqlite" ? "?" : `$${params.length}`;
    });
    return { sql, params };
  };
  const list = (param: (value: unknown) => string, values: readonly unknown[]) => values.map(param).join(", ");
  const period = lastDays(weeks * 7, now);
  const spans = [period.previous, period.current, ...weekSpans(weeks, now)];
  const edges = [...new Set(spans.flatMap((x) => [x.from.getTime(), x.until.getTime()]))].sort((a, b) => a - b).map((t) => new Date(t));
  const forecast = playbook.stages.filter((x) => x.forecast).map((x) => x.code);
  const customer = playbook.stages.filter((x) => x.customer).map((x) => x.code);
  const accept = playbook.transitions.find((x) => x.verb === "accept" && playbook.stages.some((st) => st.code === x.from && st.assignTo));
  const months = monthsIn(period.current, "Asia/Shanghai");
  const live = rules.filter((r) => r.enteredBefore || r.idleBefore);
  return [
    statement((p) => `SELECT CASE ${edges.slice(1).map((e, i) => `WHEN e."at" < ${p(e)} THEN ${i}`).join(" ")} END AS piece, e."actorId", e."fromStage", e."toStage", COUNT(*) AS n
      FROM "StageEvent" e WHERE e."kind" = 'transition' AND e."at" >= ${p(edges[0])} AND e."at" < ${p(edges.at(-1))} AND e."fromStage" IS NOT NULL AND e."toStage" IS NOT NULL
      GROUP BY 1, e."actorId", e."fromStage", e."toStage"`),
    statement((p) => `WITH h AS (SELECT "fromStage" AS stage, "secondsInStage" / 3600 AS hour, COUNT(*) AS n, SUM("secondsInStage") AS total FROM "StageEvent"
        WHERE "kind" = 'transition' AND "at" >= ${p(period.current.from)} AND "at" < ${p(period.current.until)} AND "secondsInStage" IS NOT NULL AND "fromStage" IS NOT NULL GROUP BY 1, 2),
      c AS (SELECT stage, hour, SUM(n) OVER (PARTITION BY stage ORDER BY hour ROWS UNBOUNDED PRECEDING) AS seen, SUM(n) OVER (PARTITION BY stage) AS moves, SUM(total) OVER (PARTITION BY stage) AS seconds FROM h)
      SELECT stage, moves, seconds, MIN(hour) AS hour FROM c WHERE 2 * seen > moves - 1 GROUP BY stage, moves, seconds`),
    statement(() => `SELECT "stage", COUNT(*) AS n, SUM("amount") AS amount, MIN("stageEnteredAt") AS oldest FROM "Account" GROUP BY "stage"`),
    statement((p) => `SELECT "stage", "currency", SUM("amount") AS amount FROM "Account" WHERE "stage" IN (${list(p, forecast)}) GROUP BY 1, 2`),
    statement((p) => `SELECT e."fromStage", e."toStage", a."currency", SUM(a."amount") AS amount FROM "StageEvent" e JOIN "Account" a ON a."id" = e."accountId"
      WHERE e."kind" = 'transition' AND e."at" >= ${p(new Date(now.getTime() - 7 * DAY_MS))} AND e."at" < ${p(now)}
        AND (e."fromStage" IN (${list(p, forecast)}) OR e."toStage" IN (${list(p, forecast)})) GROUP BY 1, 2, 3`),
    statement((p) => `SELECT a."source", e."toStage", COUNT(DISTINCT e."accountId") AS n FROM "StageEvent" c JOIN "Account" a ON a."id" = c."accountId" JOIN "StageEvent" e ON e."accountId" = c."accountId"
      WHERE c."kind" = 'created' AND c."at" >= ${p(period.current.from)} AND c."at" < ${p(period.current.until)}
        AND (e."kind" = 'transition' OR e."kind" = 'created') AND e."toStage" IN (${list(p, channelMilestones(playbook))}) GROUP BY 1, 2`),
    statement((p) => `SELECT a."source", COUNT(*) AS customers, SUM(a."amount") AS amount FROM "Account" a WHERE a."id" IN (SELECT e."accountId" FROM "StageEvent" e
      WHERE e."kind" = 'transition' AND e."at" >= ${p(period.current.from)} AND e."at" < ${p(period.current.until)} AND e."toStage" IN (${list(p, customer)}) AND e."fromStage" NOT IN (${list(p, customer)}))
      GROUP BY a."source"`),
    statement((p) => `SELECT "channel", "month", "amount", "currency" FROM "SpendEvent" WHERE "month" IN (${list(p, months.length ? months : [""])}) ORDER BY "id"`),
    statement(() => `SELECT "id", "displayName", "teamKey" FROM "Member"`),
    statement((p) => `SELECT "ownerId", "stage", COUNT(*) AS n, SUM("amount") AS amount FROM "Account" WHERE "stage" IN (${list(p, openStages(playbook))}) AND "ownerId" IS NOT NULL GROUP BY 1, 2`),
    ...(accept ? [period.current, period.previous].map((span) => statement((p) => `SELECT r."actorId", r.n, r."secondsInStage" FROM (
        SELECT e."actorId", e."secondsInStage", ROW_NUMBER() OVER (PARTITION BY e."actorId" ORDER BY e."secondsInStage") AS rn, COUNT(*) OVER (PARTITION BY e."actorId") AS n
        FROM "StageEvent" e WHERE e."kind" = 'transition' AND e."fromStage" = ${p(accept.from)} AND e."toStage" = ${p(accept.to)} AND e."at" >= ${p(span.from)} AND e."at" < ${p(span.until)}
          AND e."secondsInStage" IS NOT NULL AND e."actorId" IS NOT NULL) r WHERE r.rn = (r.n - 1) / 2 + 1`)) : []),
    ...(live.length ? [statement((p) => `SELECT a."ownerId", a."stage", COUNT(*) AS n FROM "Account" a WHERE a."ownerId" IS NOT NULL AND (${live.map((r) => `(a."stage" = ${p(r.stage)} AND (${[
      ...(r.enteredBefore ? [`a."stageEnteredAt" <= ${p(r.enteredBefore)}`] : []), ...(r.idleBefore ? [`a."lastActivityAt" <= ${p(r.idleBefore)}`] : []),
    ].join(" OR ")}))`).join(" OR ")}) AND (a."nextStepAt" IS NULL OR a."nextStepAt" <= ${p(now)}) GROUP BY 1, 2`)] : []),
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * Compares what a baseline query returned (per stage: the count, and the 30 longest-waiting accounts) with
 * what stalledAccounts returns for each team, stage by stage.
 */
async function crossCheck(ctx: ServiceContext, label: string, rows: readonly Record<string, unknown>[], teams: readonly string[], now: Date): Promise<string[]> {
  const { playbook, calendar } = ctx;
  const expected = new Map<string, { total: number; ids: number[] }>();
  for (const row of rows) {
    const entry = expected.get(String(row.stage)) ?? { total: Number(row.total), ids: [] };
    entry.ids.push(Number(row.id));
    expected.set(String(row.stage), entry);
  }
  const mismatches: string[] = [];
  for (const team of teams) {
    const { accounts, counts } = await stalledAccounts(ctx.db, stallRules(playbook, calendar, ownedStages(playbook, team), now), now);
    for (const [stage, count] of counts) {
      const want = expected.get(stage) ?? { total: 0, ids: [] };
      const got = accounts.filter((a) => a.stage === stage).map((a) => a.id).sort((a, b) => a - b);
      if (count !== want.total) mismatches.push(`${label}, ${team}/${stage}: product counts ${count}, baseline ${want.total}`);
      else if (got.join() !== [...want.ids].sort((a, b) => a - b).join()) mismatches.push(`${label}, ${team}/${stage}: the ${PER_STAGE} longest-waiting accounts differ`);
    }
  }
  return mismatches;
}

/** Measures the baseline, the stalled queries and the digests of every team on the database at `url`. */
export async function benchDigest(url: string, rounds: Rounds): Promise<DigestFigures> {
  const now = BENCH_NOW;
  const { ctx, close } = await openContext(loadEnv({ DATABASE_URL: url }), () => now);
  const raw = await openRaw(url);
  try {
    const { playbook, calendar } = ctx;
    const teams = playbook.teams.map((t) => t.key);
    const rules = stallRules(playbook, calendar, playbook.stages.map((s) => s.code), now);
    const query = (shape: BaselineShape) => {
      const { sql, params } = stalledSql(raw.provider, rules, now, shape);
      return () => raw.all(sql, params);
    };
    const baseline = query("per-stage");
    // Every team's overdue rules at once (each stage is led by one team, counted on that team's calendar).
    const overdueRules = teams.flatMap((team) => stallRules(playbook, ctx.calendars.of(team), ownedStages(playbook, team), now));
    const figureStatements = figuresSql(raw.provider, playbook, overdueRules, now, TREND_WEEKS);
    const windowed = query("window");
    const all = query("all");
    let stalledTotal = 0;
    const perTeam = new Map<string, number[]>(teams.map((t) => [t, []]));
    const chartParts = { figures: [] as number[], render: [] as number[] };

    const steps = {
      baseline,
      figuresBaseline: async () => {
        for (const { sql, params } of figureStatements) await raw.all(sql, params);
      },
      window: windowed,
      allRows: async () => {
        stalledTotal = (await all()).length;
      },
      stalled: async () => {
        for (const team of teams) await stalledAccounts(ctx.db, stallRules(playbook, calendar, ownedStages(playbook, team), now), now);
      },
      // As the morning run builds them (src/jobs/digests.ts): the shared funnel data once, every team's digest at once beside it.
      digests: async () => {
        const data = loadFunnelData(ctx, DIGEST_CONVERSION_DAYS);
        await Promise.all(teams.map(async (team) => perTeam.get(team)!.push(await timed(() => buildDigest(ctx, team, { data })))));
      },
      // Each team's chart, split into its figures (their shared data loaded once, as the morning run does) and its
      // drawing. As each morning, the renderer's process starts cold (ahead, while the figures load), from the font
      // subset the one before made (the first round's makes it: warm-up).
      charts: async () => {
        await chartRenderer.close();
        let renderMs = 0;
        let data: Awaited<ReturnType<typeof chartData>> | null = null;
        let figuresMs = await timed(async () => (data = await chartData(ctx)));
        for (const team of teams) {
          let figures: Awaited<ReturnType<typeof teamChartFigures>> | null = null;
          figuresMs += await timed(async () => (figures = await teamChartFigures(ctx, team, TREND_WEEKS, data!)));
          renderMs += await timed(() => chartBlock(ctx, figures!, "zh-CN"));
        }
        chartParts.figures.push(figuresMs);
        chartParts.render.push(renderMs);
      },
    };
    const names = Object.keys(steps) as (keyof typeof steps)[];
    for (let i = 0; i < rounds.warmup; i++) for (const name of names) await steps[name]();
    for (const list of perTeam.values()) list.length = 0;
    chartParts.figures.length = 0;
    chartParts.render.length = 0;
    const times = new Map<keyof typeof steps, number[]>(names.map((n) => [n, []]));
    for (let i = 0; i < rounds.runs; i++) for (const name of names) times.get(name)!.push(await timed(steps[name]));

    return {
      provider: raw.provider,
      baselineMs: median(times.get("baseline")!),
      windowMs: median(times.get("window")!),
      allRowsMs: median(times.get("allRows")!),
      stalledTotal,
      stalledMs: median(times.get("stalled")!),
      digestsMs: median(times.get("digests")!),
      perTeamMs: new Map([...perTeam].map(([team, list]) => [team, median(list)])),
      chartFiguresMs: median(chartParts.figures),
      chartRenderMs: median(chartParts.render),
      figuresBaselineMs: median(times.get("figuresBaseline")!),
      parts: await digestParts(ctx, teams, now, rounds),
      mismatches: [
        ...(await crossCheck(ctx, "baseline", await baseline(), teams, now)),
        ...(await crossCheck(ctx, "window query", await windowed(), teams, now)),
      ],
    };
  } finally {
    await raw.close();
    await close();
    await chartRenderer.close();
  }
}

/**
 * The store calls (and the stall rules) buildDigest makes, each timed alone, with how many times building
 * every team's digest makes it: funnelFacts once per team, speed to lead for the team that accepts assigned
 * leads. This mirrors src/services/digest.ts and funnel-summary.ts (loadFunnelData): update it when they change.
 */
async function digestParts(ctx: ServiceContext, teams: readonly string[], now: Date, rounds: Rounds): Promise<Part[]> {
  const { playbook, calendar, db } = ctx;
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const forecastStages = playbook.stages.filter((s) => s.forecast).map((s) => s.code);
  const speed = teams.flatMap((team) => {
    const assigned = playbook.stages.find((s) => s.assignTo === team);
    const accept = assigned && playbook.transitions.find((x) => x.from === assigned.code && x.verb === "accept");
    if (!assigned || !accept) return [];
    return [{ name: `medianMoveTimeByActor (${team}: ${assigned.code}→${accept.to}, 30 days)`, calls: 1, run: () => medianMoveTimeByActor(db, assigned.code, accept.to, ago(30)) }];
  });
  const parts: { name: string; calls: number; run: () => Promise<unknown> }[] = [
    { name: "countByStage (all stages)", calls: 1, run: () => countByStage(db, null) },
    { name: `movesSince (${DIGEST_CONVERSION_DAYS} days)`, calls: 1, run: () => movesSince(db, ago(DIGEST_CONVERSION_DAYS)) },
    { name: `timeInStage (${TIME_IN_STAGE_DAYS} days, with medians)`, calls: 1, run: () => timeInStage(db, ago(TIME_IN_STAGE_DAYS)) },
    { name: "amountsByCurrency (forecast stages)", calls: 1, run: () => amountsByCurrency(db, forecastStages) },
    { name: "movedAmounts (7 days)", calls: 1, run: () => movedAmounts(db, { from: ago(7), until: new Date(now.getTime() + 1) }, forecastStages) },
    ...speed,
    { name: "stallRules (every team's SLA cutoffs)", calls: 1, run: async () => teams.map((team) => stallRules(playbook, calendar, ownedStages(playbook, team), now)) },
    ...teams.map((team) => {
      const rules = stallRules(playbook, calendar, ownedStages(playbook, team), now);
      return { name: `stalledAccounts (${team}: ${rules.length} stages)`, calls: 1, run: () => stalledAccounts(db, rules, now) };
    }),
  ];
  const out: Part[] = [];
  for (const part of parts) {
    await part.run();
    const list: number[] = [];
    for (let i = 0; i < Math.max(3, Math.min(rounds.runs, 5)); i++) list.push(await timed(part.run));
    out.push({ name: part.name, calls: part.calls, ms: median(list) });
  }
  return out;
}

/** Peak memory of a process that only opens the database and builds every team's digest. */
export interface MemoryFigures {
  /** RSS right after opening the database (Node, tsx, Prisma and the driver loaded). */
  readonly openRss: number;
  /** Highest `process.memoryUsage().rss` sampled every few milliseconds. */
  readonly sampledPeakRss: number;
  /** `process.resourceUsage().maxRSS`: the kernel's high-water mark, which sampling cannot miss. */
  readonly maxRss: number;
  /** The highest RSS of this process, the renderer's and its font subsetter's together, sampled at one instant. */
  readonly togetherPeakRss: number;
  /** What this process, the renderer and its subsetter (if it ran) each held at that instant. */
  readonly togetherParts: readonly number[];
  /** The same with the pages they map from the same files (node, shared libraries) counted once. */
  readonly togetherSharedPeakRss: number;
  /** `process.memoryUsage()` after each step (modules loaded, database open, then each step of the first and last runs). */
  readonly phases: readonly { readonly step: string; readonly rss: number; readonly heapUsed: number; readonly external: number }[];
  /**
   * With the charts: the renderer's processes started, their peak RSS and their font subsetters' (bytes, each
   * its own process beside this one), and each run's charts, every team's figures and picture at once (ms; the first with a cold start).
   */
  readonly renderer: { readonly started: number; readonly peakRss: number; readonly subsetterPeakRss: number; readonly drawingMs: readonly number[] };
}

const memoryScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "digest-memory.ts");
const root = path.resolve(path.dirname(memoryScript), "..");

/** Whether dist/ (`npm run build`) is there and newer than every file under src/. */
export function distIsFresh(): boolean {
  const built = path.join(root, "dist", "main.js");
  if (!existsSync(built)) return false;
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? newest(full) : statSync(full).mtimeMs;
  }));
  return statSync(built).mtimeMs >= newest(path.join(root, "src"));
}

/**
 * digest-memory.ts as plain JavaScript whose imports of ../src/ are dist/'s modules, for plain node: the bot as
 * production runs it (`node dist/main.js`: no TypeScript loader, the renderer's bundled program from dist/).
 */
async function distMemoryProgram(): Promise<string> {
  const esbuild = await import("esbuild");
  const src = path.join(root, "src");
  const outfile = path.join(root, "test-artifacts", "bench", "digest-memory.mjs");
  await esbuild.build({
    entryPoints: [memoryScript], outfile, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "error",
    plugins: [{
      name: "dist",
      setup(build) {
        build.onResolve({ filter: /\/src\// }, (args) => {
          const source = path.resolve(args.resolveDir, args.path);
          return source.startsWith(src) ? { path: path.join(root, "dist", path.relative(src, source)), external: true } : undefined;
        });
      },
    }],
  });
  return outfile;
}

/**
 * Runs digest-memory.ts in a child process with the server's Node.js flags, through tsx as `npm start` runs the
 * bot, or with `dist` compiled against dist/ for plain node as production runs it (see distIsFresh), and reads
 * its figures; with `charts`, the child also draws every team's chart after its digest, as the morning run does.
 */
export async function measureMemory(url: string, runs: number, charts = false, dist = false): Promise<MemoryFigures> {
  const program = dist ? [await distMemoryProgram()] : ["--import", "tsx", memoryScript];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...serverNodeFlags(), ...program, url, String(runs), ...(charts ? ["charts"] : [])], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`the memory child exited with ${code}:\n${stderr.trim() || stdout.trim()}`));
      else resolve(JSON.parse(last) as MemoryFigures);
    });
  });
}
