/**
 * Child process of the digest benchmark: opens the database and builds every team's digest `runs` times,
 * nothing else (no seeding, no baseline), then prints its memory figures as one JSON line.
 * With `charts`, every team's chart is drawn too, after the digests, as the morning run does.
 * Usage: node --import tsx bench/digest-memory.ts <DATABASE_URL> <runs> [charts]
 */
import { loadEnv } from "../src/config/env.js";
import { buildDigests } from "../src/services/digest.js";
import { chartBlock, chartData, teamChartFigures } from "../src/services/funnel-chart.js";
import { TREND_WEEKS } from "../src/services/manager-figures.js";
import { openContext } from "../src/wiring.js";
import { BENCH_NOW } from "./now.js";

const [url, runs = "3", charts] = process.argv.slice(2);
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
    if (charts === "charts") {
      const data = await chartData(ctx);
      for (const team of ctx.playbook.teams) await chartBlock(ctx, await teamChartFigures(ctx, team.key, TREND_WEEKS, data), "zh-CN");
      sample();
    }
  }
} finally {
  clearInterval(sampler);
  await close();
}
sample();
process.stdout.write(`${JSON.stringify({ openRss, sampledPeakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`);
