/**
 * Child process of the digest benchmark: opens the database and builds every team's digest `runs` times,
 * nothing else (no seeding, no baseline), then prints its memory figures as one JSON line.
 * Usage: node --import tsx bench/digest-memory.ts <DATABASE_URL> <runs>
 */
import { loadEnv } from "../src/config/env.js";
import { buildDigests } from "../src/services/digest.js";
import { openContext } from "../src/wiring.js";
import { BENCH_NOW } from "./now.js";

const [url, runs = "3"] = process.argv.slice(2);
if (!url) throw new Error("usage: digest-memory.ts <DATABASE_URL> <runs>");
let peak = process.memoryUsage().rss;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const sampler = setInterval(sample, 2);
const { ctx, close } = await openContext(loadEnv({ DATABASE_URL: url }), () => BENCH_NOW);
const openRss = process.memoryUsage().rss;
try {
  for (let i = 0; i < Number(runs); i++) {
    await buildDigests(ctx, ctx.playbook.teams.map((team) => team.key));
    sample();
  }
} finally {
  clearInterval(sampler);
  await close();
}
sample();
process.stdout.write(`${JSON.stringify({ openRss, sampledPeakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
