/**
 * `npm run bench [-- --quick] [-- --sqlite-only]`: the digest benchmark of issue 5 on SQLite, and on
 * PostgreSQL when its binaries are installed (a throwaway cluster on 127.0.0.1) or BENCH_POSTGRES_URL names
 * a server on which it may create a database. Prints every figure beside its baseline from the same run.
 * A missed target is printed as MISSED and does not fail the run; a baseline that disagrees with the
 * product's stalled lists does (exit 1), since the ratios would then compare different work.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { findPostgresBin, startCluster, type Cluster } from "../test/support/postgres-cluster.js";
import { benchDigest, measureMemory, type DigestFigures, type MemoryFigures } from "./digest.js";
import { BENCH_NOW } from "./now.js";
import { seedPostgres, seedSqlite, type SeedSize } from "./seed.js";

const quick = process.argv.includes("--quick");
const sqliteOnly = process.argv.includes("--sqlite-only");
const size: SeedSize = quick ? { accounts: 10_000, events: 100_000 } : { accounts: 100_000, events: 1_000_000 };
const rounds = { warmup: 2, runs: quick ? 5 : 7 };
const memoryRuns = 3;

// Targets from issue 5 ("Speed").
const MAX_RATIO = 3;
const MAX_DIGESTS_MS = 1000;
const MB = 1_000_000;
const MAX_RSS = 250 * MB;

interface Result {
  readonly provider: string;
  readonly seed: string;
  readonly digest: DigestFigures;
  readonly memory: MemoryFigures;
}

const log = (line: string) => console.log(line);
const ms = (value: number) => (value < 100 ? value.toFixed(1) : value.toFixed(0));
const ratio = (value: number, base: number) => `${(value / base).toFixed(1)}×`;
const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
const count = (n: number) => n.toLocaleString("en-US");

async function runOn(provider: string, url: string, seed: string): Promise<Result> {
  log(`${provider}: measuring (${rounds.warmup} warm-up rounds, median of ${rounds.runs})…`);
  const digest = await benchDigest(url, rounds);
  log(`${provider}: measuring memory in a child process…`);
  const memory = await measureMemory(url, memoryRuns);
  return { provider, seed, digest, memory };
}

async function sqlite(): Promise<Result> {
  log("sqlite: seeding…");
  const seeded = await seedSqlite(size);
  log(seeded.cached ? `sqlite: seeded database from the cache (${seeded.url.replace(/^file:/, "")})` : `sqlite: seeded in ${seeded.seconds.toFixed(1)} s`);
  return runOn("sqlite", seeded.url, seeded.cached ? "cached" : `${seeded.seconds.toFixed(1)} s`);
}

async function postgres(): Promise<Result | string> {
  if (sqliteOnly) return "skipped (--sqlite-only)";
  const given = process.env.BENCH_POSTGRES_URL?.trim();
  const bin = given ? null : findPostgresBin();
  if (!given && !bin) return "skipped: no PostgreSQL under /usr/lib/postgresql/*/bin (apt-get install postgresql) and no BENCH_POSTGRES_URL";
  let cluster: Cluster | null = null;
  const stopOnSignal = () => {
    void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    if (!given) {
      log("postgresql: starting a throwaway cluster on 127.0.0.1…");
      cluster = await startCluster(bin!);
    }
    const server = given ?? cluster!.url;
    const name = `funnelbot_bench_${randomBytes(4).toString("hex")}`;
    await adminQuery(server, `CREATE DATABASE "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    try {
      log("postgresql: seeding…");
      const seconds = await seedPostgres(url.toString(), size);
      log(`postgresql: seeded in ${seconds.toFixed(1)} s`);
      return await runOn("postgresql", url.toString(), `${seconds.toFixed(1)} s`);
    } finally {
      if (given) await adminQuery(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await cluster?.stop();
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
  }
}

async function adminQuery(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)];
}

function report(results: readonly Result[], skipped: readonly string[]): void {
  log("");
  log(`Digest benchmark (issue 5): ${count(size.accounts)} accounts, ${count(size.events)} stage events, now = ${BENCH_NOW.toISOString()}, ${rounds.warmup} warm-up rounds then the median of ${rounds.runs}; MB = 10^6 bytes.`);
  log("baseline = one hand-written SQL statement, same stall rules, giving what the digests list (each stage's count and its 30 longest-waiting accounts, with owner: a UNION ALL of one branch per stage), run on better-sqlite3 / pg directly.");
  log("stalled = stallRules + stalledAccounts for every team, as buildDigest calls them; digests = buildDigest for every team, through the real services; both one team after the other.");
  log("");
  for (const line of table(
    ["provider", "seed", "baseline ms", "stalled ms", "stalled / baseline", "digests ms", "digests / baseline", "digests vs 1 s", "peak RSS MB", "RSS vs 250 MB"],
    results.map(({ provider, seed, digest: d, memory: m }) => {
      const peak = Math.max(m.sampledPeakRss, m.maxRss);
      return [
        provider, seed, ms(d.baselineMs), ms(d.stalledMs), `${ratio(d.stalledMs, d.baselineMs)} ${verdict(d.stalledMs <= MAX_RATIO * d.baselineMs)}`,
        ms(d.digestsMs), `${ratio(d.digestsMs, d.baselineMs)} ${verdict(d.digestsMs <= MAX_RATIO * d.baselineMs)}`,
        `${ratio(d.digestsMs, MAX_DIGESTS_MS)} ${verdict(d.digestsMs < MAX_DIGESTS_MS)}`, (peak / MB).toFixed(0), `${ratio(peak, MAX_RSS)} ${verdict(peak < MAX_RSS)}`,
      ];
    }),
  )) log(line);
  for (const line of skipped) log(`postgresql: ${line}`);

  for (const { provider, digest: d, memory: m } of results) {
    log("");
    log(`${provider}: other hand-written queries: the same result with window functions ${ms(d.windowMs)} ms (${ratio(d.windowMs, d.baselineMs)} the baseline); all ${count(d.stalledTotal)} stalled accounts ${ms(d.allRowsMs)} ms (${ratio(d.allRowsMs, d.baselineMs)}).`);
    log(`${provider}: memory: ${(m.openRss / MB).toFixed(0)} MB after opening the database, sampled peak ${(m.sampledPeakRss / MB).toFixed(0)} MB, maxRSS ${(m.maxRss / MB).toFixed(0)} MB (${memoryRuns} rounds of every digest; PostgreSQL's own server memory is not counted).`);
    log(`${provider}: digest per team (ms): ${[...d.perTeamMs].map(([team, t]) => `${team} ${ms(t)}`).join(", ")}.`);
    log(`${provider}: where the digests' time goes (each store call timed alone; Promise.all overlaps them on PostgreSQL):`);
    for (const line of table(
      ["store call", "ms", "calls for all digests", "ms × calls", "× baseline"],
      d.parts.map((p) => [p.name, ms(p.ms), String(p.calls), ms(p.ms * p.calls), ratio(p.ms * p.calls, d.baselineMs)]),
    )) log(`  ${line}`);
    if (d.mismatches.length) {
      log(`${provider}: CHECK FAILED: the baseline and stalledAccounts disagree, so the ratios compare different work:`);
      for (const m of d.mismatches) log(`  ${m}`);
      process.exitCode = 1;
    } else {
      log(`${provider}: check: the baseline's (and the window query's) per-stage counts and 30 longest-waiting accounts match stalledAccounts for every team.`);
    }
  }

  const missed = results.flatMap(({ provider, digest: d, memory: m }) => [
    ...(d.stalledMs > MAX_RATIO * d.baselineMs ? [`${provider}: stalled queries take ${ratio(d.stalledMs, d.baselineMs)} the baseline (target ≤ ${MAX_RATIO}×)`] : []),
    ...(d.digestsMs > MAX_RATIO * d.baselineMs ? [`${provider}: digests take ${ratio(d.digestsMs, d.baselineMs)} the baseline (target ≤ ${MAX_RATIO}×)`] : []),
    ...(d.digestsMs >= MAX_DIGESTS_MS ? [`${provider}: digests take ${ms(d.digestsMs)} ms (target < ${MAX_DIGESTS_MS} ms)`] : []),
    ...(Math.max(m.sampledPeakRss, m.maxRss) >= MAX_RSS ? [`${provider}: peak RSS ${(Math.max(m.sampledPeakRss, m.maxRss) / MB).toFixed(0)} MB (target < 250 MB)`] : []),
  ]);
  log("");
  if (missed.length) for (const line of missed) log(`MISSED: ${line}`);
  else log("All targets met.");
}

const started = performance.now();
const results: Result[] = [await sqlite()];
const skipped: string[] = [];
const pgResult = await postgres();
if (typeof pgResult === "string") skipped.push(pgResult);
else results.push(pgResult);
report(results, skipped);
log(`(benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
