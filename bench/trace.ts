/**
 * `npx tsx bench/trace.ts [--sqlite]`: where a slow `/lead accept`'s time goes, for the bot and the floor app
 * (bench/floor-bolt.ts) under the same load (50 connections by default, TRACE_CONNECTIONS), taking turns
 * (floor, bot, floor, bot …: TRACE_ROUNDS rounds of TRACE_SECONDS, each followed by the outbox's drain).
 * Each server runs with bench/trace-hook.ts (unless TRACE_HOOK=0), which records every request's waits for a
 * pool client, its statements, the outbox worker's passes, GC pauses and event-loop stalls; on PostgreSQL
 * this process also samples pg_stat_activity (each backend's state and wait event, by application) every
 * 10 ms during the load. Prints, for each server, autocannon's figures for every round, the server-side
 * latency's median and p99, and where the median and the slowest 1% of requests spent their time.
 *
 * TRACE_VARIANTS (JSON, e.g. `[{"name":"bot"},{"name":"semi64","env":{"X":"1"},"nodeArgs":["--max-semi-space-size=64"]}]`)
 * runs several bots side by side, each taking its turn after the floor: A/B comparisons in one run (with
 * TRACE_HOOK=0 for autocannon's figures without the hook's own cost); TRACE_FLOOR_NODE_ARGS gives the floor
 * Node.js flags (`--cpu-prof` …). Each server's whole-run count of accepts is printed, to put a profile per accept.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { FakeSlack } from "../test/support/fake-slack.js";
import { createDatabase, findPostgresBin, startCluster } from "../test/support/postgres-cluster.js";
import { startServer, type ServerProcess } from "../test/support/processes.js";
import { seedMqls } from "./commands.js";
import { runLoad, type LoadResult } from "./processes.js";

const SECRET = "bench-signing-secret-0123456789abcdef";
const dir = path.join(os.tmpdir(), "funnelbot-bench", `trace-${randomBytes(4).toString("hex")}`);
mkdirSync(dir, { recursive: true });
const sqlite = process.argv.includes("--sqlite");
const connections = Number(process.env.TRACE_CONNECTIONS ?? 50);
const seconds = Number(process.env.TRACE_SECONDS ?? 2);
const rounds = Number(process.env.TRACE_ROUNDS ?? 2);
const traced = process.env.TRACE_HOOK !== "0";
const variants = JSON.parse(process.env.TRACE_VARIANTS ?? '[{"name":"bot"}]') as { name: string; env?: Record<string, string>; nodeArgs?: string[] }[];
const PER_RUN = 3000;

const cluster = sqlite ? null : await startCluster(findPostgresBin() ?? "");
const url = cluster ? await createDatabase(cluster.url, "funnelbot_trace") : `file:${path.join(dir, "trace.db")}`;
const commands = await seedMqls(url, (1 + variants.length) * (1 + rounds) * PER_RUN);
const fake = new FakeSlack();
await fake.start();
// tsx first, so the hook (TypeScript) can load; spawnTs's own "--import tsx" after it is the same module.
const hook = traced ? ["--import", "tsx", "--import", path.resolve("bench/trace-hook.ts")] : [];
interface Who {
  readonly name: string;
  readonly server: ServerProcess;
  readonly file: string;
  readonly results: LoadResult[];
  /** The server's CPU time over the load's wall time, each run (1 = one core busy throughout). */
  readonly cpu: number[];
  readonly activity: Map<string, number>;
  samples: number;
}
const who = (name: string, server: ServerProcess, file: string): Who => ({ name, server, file, results: [], cpu: [], activity: new Map(), samples: 0 });
const floorFile = path.join(dir, "floor.json");
const floor = who("floor", await startServer("bench/floor-bolt.ts", { DATABASE_URL: url, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, TRACE_FILE: floorFile, PGAPPNAME: "floor" }, { nodeArgs: [...hook, ...(process.env.TRACE_FLOOR_NODE_ARGS?.split(" ").filter(Boolean) ?? [])] }), floorFile);
const bots: Who[] = [];
for (const v of variants) {
  const file = path.join(dir, `${v.name}.json`);
  bots.push(who(v.name, await startServer("src/main.ts", {
    DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-bench", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: "warn", FUNNEL_DIGEST_TIME: "23:59",
    TRACE_FILE: file, TRACE_WORKER: "1", PGAPPNAME: v.name, ...v.env,
  }, { nodeArgs: [...hook, ...(v.nodeArgs ?? [])] }), file));
}
const all = [floor, ...bots];
const sampler = cluster ? new pg.Client({ connectionString: url, application_name: "sampler" }) : null;
await sampler?.connect();
if (sampler) {
  const settings = await sampler.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_connections', 'shared_buffers', 'wal_level')`);
  console.log(`postgresql settings: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(", ")}`);
}

let cursor = 0;
const take = (n: number) => commands.slice(cursor, (cursor += n));
const fire = (server: ServerProcess, c: number, s: number, list: typeof commands) =>
  runLoad({ url: server.url, secret: SECRET, connections: c, durationSec: s, commands: list, responseBase: fake.url });
const warmups = new Map<Who, LoadResult>();
for (const w of all) warmups.set(w, await fire(w.server, 10, 1, take(PER_RUN)));
// Lets the outbox drain the warm-up, then marks the start of the measured runs in every trace.
await new Promise((r) => setTimeout(r, 3000));
for (const w of all) await fetch(`${w.server.url}/healthz`, { headers: { "x-trace-mark": "1" } });

async function sampled(w: Who): Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on && sampler) {
      const { rows } = await sampler.query<{ app: string; state: string | null; wait: string | null }>(
        `SELECT application_name AS app, state, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [w.name]);
      w.samples += 1;
      for (const r of rows) w.activity.set(`${r.state} ${r.wait}`, (w.activity.get(`${r.state} ${r.wait}`) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const cpu0 = w.server.cpuMs() ?? 0;
  const t0 = performance.now();
  w.results.push(await fire(w.server, connections, seconds, take(PER_RUN)));
  w.cpu.push(((w.server.cpuMs() ?? 0) - cpu0) / (performance.now() - t0));
  on = false;
  await loop;
  // Waits for the outbox to drain, as the benchmark does, so the next run starts clean.
  const db = sampler ?? null;
  for (let waited = 0; db && waited < 20_000; waited += 100) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "OutboxMessage" WHERE "status" = 'pending'`);
    if (rows[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!db) await new Promise((r) => setTimeout(r, 2500));
}
for (let round = 0; round < rounds; round++) for (const w of all) await sampled(w);
await sampler?.end();
for (const w of all) await w.server.stop();
await fake.stop();
await cluster?.stop();

const loadLine = (w: Who) => w.results.map((r) => `${r.rps.toFixed(0)} req/s p50 ${r.p50} p99 ${r.p99}`).join("; ");
console.log(`\nautocannon, ${connections} connections, ${seconds} s a round, ${rounds} rounds (floor, then ${bots.map((b) => b.name).join(", ")}), load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}:`);
// Every accept each server answered, the warm-up's included (to put a whole-run profile per accept).
const answered = (w: Who) => [warmups.get(w)!, ...w.results].reduce((n, r) => n + r.requests - r.non2xx - r.errors, 0);
for (const w of all) console.log(`  ${w.name.padEnd(8)} ${loadLine(w)}; server CPU ${w.cpu.map((c) => `${(c * 100).toFixed(0)}%`).join(", ")}; ${answered(w)} accepts answered in all`);
for (const b of bots) console.log(`  ${b.name} p99 / floor p99 by round: ${b.results.map((r, i) => (r.p99 / floor.results[i]!.p99).toFixed(2)).join(", ")}`);

interface Trace {
  requests: { id: number; start: number; end: number; url: string; status: number }[];
  spans: { what: string; pool: string; owner: string; start: number; end: number; state?: [number, number, number]; name?: string }[];
  passes: { start: number; end: number; claimed: number }[];
  gcs: { start: number; duration: number; kind: number }[];
  stalls: { at: number; lateMs: number }[];
  utilization: { at: number; elu: number }[];
  loop: { p50: number; p99: number; max: number };
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const f = (n: number) => n.toFixed(1);
const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

function report(w: Who): void {
  if (!existsSync(w.file)) return;
  const t = JSON.parse(readFileSync(w.file, "utf8")) as Trace;
  const mark = t.requests.find((r) => r.url.includes("trace-mark"))?.start ?? 0;
  const reqs = t.requests.filter((r) => r.start > mark && r.url.startsWith("/slack/events"));
  // The periods this server was under load (its turns), merged from its requests.
  const periods: [number, number][] = [];
  for (const r of [...reqs].sort((a, b) => a.start - b.start)) {
    const last = periods.at(-1);
    if (last && r.start <= last[1] + 50) last[1] = Math.max(last[1], r.end);
    else periods.push([r.start, r.end]);
  }
  const inLoad = (at: number) => periods.some(([a, b]) => at >= a && at <= b);
  const loadMs = periods.reduce((n, [a, b]) => n + b - a, 0);
  const byOwner = new Map<string, Trace["spans"]>();
  for (const s of t.spans) if (s.start >= mark) byOwner.set(s.owner, [...(byOwner.get(s.owner) ?? []), s]);
  const gcs = t.gcs.filter((g) => g.start >= mark);
  const stalls = t.stalls.filter((s) => s.at >= mark);
  const rows = reqs.map((r) => {
    const own = byOwner.get(`req:${r.id}`) ?? [];
    const sum = (what: string, pool: string) => own.filter((s) => s.what === what && s.pool === pool).reduce((n, s) => n + s.end - s.start, 0);
    const total = r.end - r.start;
    const parts = { driverWait: sum("wait", "driver"), driverQuery: sum("query", "driver"), prismaWait: sum("wait", "prisma"), prismaQuery: sum("query", "prisma") };
    return {
      total, ...parts, queries: own.filter((s) => s.what === "query").length,
      other: total - parts.driverWait - parts.driverQuery - parts.prismaWait - parts.prismaQuery,
      gc: gcs.reduce((n, g) => n + overlap(r.start, r.end, g.start, g.start + g.duration), 0),
      stalled: stalls.reduce((n, s) => n + overlap(r.start, r.end, s.at - s.lateMs, s.at), 0),
      waitStates: own.filter((s) => s.what === "wait").map((s) => s.state!),
    };
  });
  type Row = (typeof rows)[number];
  const totals = rows.map((r) => r.total);
  const p99 = pct(totals, 99);
  const slow = rows.filter((r) => r.total >= p99);
  const mid = rows.filter((r) => r.total >= pct(totals, 45) && r.total <= pct(totals, 55));
  const mean = (xs: Row[], k: keyof Row) => xs.reduce((n, r) => n + (r[k] as number), 0) / Math.max(1, xs.length);
  // The floor's one pool has no `types` option, so the hook files it under "prisma": for the floor it is its pg pool.
  const b = w.name === "floor" ? "pg pool" : "prisma";
  const line = (label: string, xs: Row[]) =>
    `  ${label.padEnd(16)} n=${String(xs.length).padStart(4)} ${f(mean(xs, "total"))} ms = ${w.name === "floor" ? "" : `driver pool wait ${f(mean(xs, "driverWait"))} + driver statements ${f(mean(xs, "driverQuery"))} + `}${b} wait ${f(mean(xs, "prismaWait"))} + ${b} statements ${f(mean(xs, "prismaQuery"))} + the rest ${f(mean(xs, "other"))} (${f(mean(xs, "queries"))} statements; inside: GC ${f(mean(xs, "gc"))}, loop stalls > 10 ms ${f(mean(xs, "stalled"))})`;
  console.log(`\n${w.name}: ${reqs.length} accepts in ${periods.length} turns, ${f(loadMs / 1000)} s under load`);
  console.log(`  server-side latency (request event → answer): p50 ${f(pct(totals, 50))} ms, p90 ${f(pct(totals, 90))}, p99 ${f(p99)}, max ${f(Math.max(...totals))}`);
  console.log(line("median (p45–55)", mid));
  console.log(line("slowest 1%", slow));
  const ahead = slow.flatMap((r) => r.waitStates.map((s) => s[2]));
  if (ahead.length) {
    const inUse = slow.flatMap((r) => r.waitStates.map((s) => s[0]));
    console.log(`  slowest 1%, asking for a pool client: in use ${f(inUse.reduce((x, y) => x + y, 0) / inUse.length)}, already waiting ${f(ahead.reduce((x, y) => x + y, 0) / ahead.length)} (max ${Math.max(...ahead)})`);
  }
  for (const pool of ["driver", "prisma"]) {
    const holds = t.spans.filter((s) => s.what === "hold" && s.pool === pool && inLoad(s.start));
    if (holds.length === 0) continue;
    const held = (pred: (owner: string) => boolean) => holds.filter((s) => pred(s.owner)).reduce((n, s) => n + s.end - s.start, 0);
    const total = held(() => true);
    const label = pool === "prisma" && w.name === "floor" ? "pg pool" : `${pool} pool`;
    console.log(`  ${label}: ${f(total / loadMs)} clients held on average under load; requests ${f((100 * held((o) => o.startsWith("req:"))) / total)}%, after their answer ${f((100 * held((o) => o.startsWith("after:"))) / total)}%, outbox worker ${f((100 * held((o) => o === "worker")) / total)}%, none ${f((100 * held((o) => o === "none")) / total)}%; ${holds.length} holds, mean ${f(total / holds.length)} ms`);
    const queries = t.spans.filter((s) => s.what === "query" && s.pool === pool && inLoad(s.start));
    const byName = new Map<string, number[]>();
    for (const q of queries) {
      const key = `${q.owner.replace(/:\d+$/, "")} ${q.name}`;
      byName.set(key, [...(byName.get(key) ?? []), q.end - q.start]);
    }
    for (const [name, ds] of [...byName].sort((x, y) => y[1].length - x[1].length).slice(0, 10)) console.log(`    ${String(ds.length).padStart(5)} × ${name}: p50 ${f(pct(ds, 50))} ms, p99 ${f(pct(ds, 99))} ms`);
  }
  const passes = t.passes.filter((p) => inLoad(p.start));
  if (passes.length) {
    const d = passes.map((p) => p.end - p.start);
    console.log(`  outbox worker under load: ${passes.length} passes, ${passes.reduce((n, p) => n + p.claimed, 0)} rows claimed, a pass p50 ${f(pct(d, 50))} ms, p99 ${f(pct(d, 99))} ms, busy ${f((100 * d.reduce((x, y) => x + y, 0)) / loadMs)}% of the time`);
  }
  const blame = new Map<string, number>();
  const stallIn = stalls.filter((s) => inLoad(s.at));
  for (const st of stallIn) {
    const s0 = st.at - st.lateMs;
    const gc = gcs.reduce((n, g) => n + overlap(s0, st.at, g.start, g.start + g.duration), 0);
    const ended = t.spans.filter((x) => x.what === "query" && x.end >= s0 && x.end <= st.at);
    const tag = gc > st.lateMs / 2 ? "GC" : ended.some((x) => x.pool === "prisma" && w.name !== "floor") ? "a Prisma statement's rows (App Home)" : ended.some((x) => x.owner === "worker") ? "an outbox worker statement's rows" : "other (requests' own work)";
    blame.set(tag, (blame.get(tag) ?? 0) + st.lateMs);
  }
  console.log(`  event loop under load: ${stallIn.length} stalls over 10 ms, longest ${f(Math.max(0, ...stallIn.map((s) => s.lateMs)))} ms; by what ended or ran in them: ${[...blame].map(([k, v]) => `${k} ${f(v)} ms`).join("; ")}`);
  const elu = t.utilization.filter((u) => inLoad(u.at - 100) && inLoad(u.at)).map((u) => u.elu);
  console.log(`  event-loop utilization under load (100 ms samples): mean ${f(100 * elu.reduce((x, y) => x + y, 0) / Math.max(1, elu.length))}%, p10 ${f(100 * pct(elu, 10))}%, p90 ${f(100 * pct(elu, 90))}%`);
  const gcIn = gcs.filter((g) => inLoad(g.start));
  console.log(`  GC under load: ${gcIn.length} pauses, ${f(gcIn.reduce((n, g) => n + g.duration, 0))} ms (${f((100 * gcIn.reduce((n, g) => n + g.duration, 0)) / loadMs)}% of the time), longest ${f(Math.max(0, ...gcIn.map((g) => g.duration)))} ms; mark-compact ${gcIn.filter((g) => g.kind === 4).length}`);
  const worst = reqs.reduce((x, y) => (y.end - y.start > x.end - x.start ? y : x));
  const steps = (byOwner.get(`req:${worst.id}`) ?? []).filter((x) => x.what !== "hold").map((x) => `${x.what} ${x.name ? x.name.slice(0, 11) : x.pool}${x.state ? ` [in use ${x.state[0]}, waiting ${x.state[2]}]` : ""} +${f(x.start - worst.start)}…${f(x.end - worst.start)}`);
  console.log(`  slowest request, ${f(worst.end - worst.start)} ms: ${steps.join("; ")}; GC inside ${f(gcs.reduce((n, g) => n + overlap(worst.start, worst.end, g.start, g.start + g.duration), 0))} ms`);
  if (w.samples) console.log(`  pg_stat_activity (${w.samples} samples under load), average backends: ${[...w.activity].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, n]) => `${k} ${(n / w.samples).toFixed(2)}`).join("; ")}`);
}
for (const w of all) report(w);

