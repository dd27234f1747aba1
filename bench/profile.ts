/**
 * `npx tsx bench/profile.ts [--postgres]`: where the server's CPU goes on `/lead accept`. Seeds MQLs as the
 * commands benchmark does, starts the real server under `--cpu-prof`, fires a short autocannon run at it
 * (loopback), stops it and sums the profile's self time by where the code lives (Prisma, Bolt, our code …).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeSlack } from "../test/support/fake-slack.js";
import { createDatabase, findPostgresBin, startCluster } from "../test/support/postgres-cluster.js";
import { startServer } from "../test/support/processes.js";
import { seedMqls } from "./commands.js";
import { runLoad } from "./processes.js";

const SECRET = "bench-signing-secret-0123456789abcdef";
const dir = path.join(os.tmpdir(), "funnelbot-bench", `profile-${randomBytes(4).toString("hex")}`);
mkdirSync(dir, { recursive: true });
// --postgres: a throwaway cluster on 127.0.0.1 (as npm run bench starts one).
const cluster = process.argv.includes("--postgres") ? await startCluster(findPostgresBin() ?? "") : null;
const url = cluster ? await createDatabase(cluster.url, "funnelbot_profile") : `file:${path.join(dir, "profile.db")}`;
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const seconds = Number(process.env.PROFILE_SECONDS ?? 4);
const commands = await seedMqls(url, 8000);
const fake = new FakeSlack();
await fake.start();
const server = await startServer("src/main.ts", {
  DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-bench", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: "warn", FUNNEL_DIGEST_TIME: "23:59",
}, { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`, ...(process.env.PROFILE_NODE_ARGS?.split(" ").filter(Boolean) ?? [])] });
const fire = (list: typeof commands) => runLoad({ url: server.url, secret: SECRET, connections, durationSec: seconds, commands: list, responseBase: fake.url });
await fire(commands.slice(0, 1000)); // warm-up
const result = await fire(commands.slice(1000));
const rss = server.peakRss();
const stopping = performance.now();
await server.stop();
const stopUs = (performance.now() - stopping) * 1000;
await fake.stop();
await cluster?.stop();

type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
// The main thread's profile is the largest (tsx's loader thread writes one too).
const file = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(dir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; endTime: number };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
// Only the measured run: the samples between its start and the server's stop (start-up and warm-up left out).
const to = profile.endTime - stopUs;
const from = to - result.seconds * 1_000_000;
let at = profile.endTime - profile.timeDeltas.reduce((s, d) => s + d, 0);
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

function category(node: Node): string {
  const { url: u, functionName } = node.callFrame;
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(program)") return "native / runtime (program)";
  if (/@prisma|generated\/(sqlite|postgres)|query_compiler|\.wasm/.test(u) || u.startsWith("wasm")) return "Prisma (client, engine, adapter)";
  if (/better-sqlite3/.test(u)) return "better-sqlite3";
  if (/node_modules\/pg/.test(u)) return "pg";
  if (/@slack\/(bolt|web-api|logger|oauth)|node_modules\/axios|form-data/.test(u)) return "Bolt / Slack web client";
  if (/pino/.test(u)) return "logging";
  if (/\/src\/domain\//.test(u)) return "our code: domain";
  if (/\/src\/commands\//.test(u)) return "our code: parse / render";
  if (/\/src\/(services)\//.test(u)) return "our code: services";
  if (/\/src\/store\//.test(u)) return "our code: store";
  if (/\/src\/platforms\/slack\/home/.test(u)) return "App Home";
  if (/\/src\/platforms\//.test(u)) return "our code: platforms";
  if (/\/src\/jobs\//.test(u)) return "our code: outbox worker / jobs";
  if (/\/src\//.test(u)) return "our code: other";
  if (/node_modules/.test(u)) return `other deps (${/node_modules\/((@[^/]+\/)?[^/]+)/.exec(u)?.[1]})`;
  if (u.startsWith("node:") || u === "") return functionName === "stringify" || functionName === "parse" ? "JSON" : "node core (http, crypto, streams, timers)";
  return "other";
}
const totals = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const name = category(node);
  totals.set(name, (totals.get(name) ?? 0) + us);
}
const busy = [...totals].filter(([k]) => k !== "idle").reduce((s, [, v]) => s + v, 0);
const accepts = result.requests - result.non2xx - result.errors;
console.log(`${url.startsWith("file:") ? "sqlite" : "postgresql"}, ${connections} connections, ${accepts} accepts, ${(busy / 1000 / accepts).toFixed(2)} ms busy CPU per accept (main thread, sampled), peak RSS ${rss === null ? "n/a" : (rss / 1e6).toFixed(0)} MB`);
for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) if (name !== "idle") console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
const top = [...self].map(([id, us]) => [byId.get(id)!, us] as const).filter(([n]) => n.callFrame.functionName !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 25);
console.log("top self time:");
for (const [n, us] of top) console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/.*node_modules\//, "").replace(/.*\/src\//, "src/")}`);

