/**
 * Child process of the digest benchmark: opens the database and builds every team's digest `runs` times,
 * nothing else (no seeding, no baseline), then prints its memory figures as one JSON line: the peak, and
 * `process.memoryUsage()` after each step (modules, open, then the first and the last run's digests, figures and
 * drawing), which says whether memory goes to code loaded (the first run) or to rows held (every run).
 * With `charts`, every team's chart is drawn too, after the digests, as the morning run does: in the chart
 * renderer's process (src/charts/renderer.ts), whose peak RSS (and its font subsetter's) is reported beside this
 * process's, with each run's charts (every team's figures and picture at once, as the morning run makes them; the first
 * with the renderer started cold, ahead of the figures).
 * Every few milliseconds the RSS of this process, the renderer's and its font subsetter's (the renderer's children)
 * are read at the same instant from /proc: their highest sum is what the machine held at once.
 * With `--heap-snapshot=FILE`, a V8 heap snapshot is written after the last run (open it in Chrome's DevTools,
 * Memory tab) to see what the heap holds.
 * Usage: node --import tsx bench/digest-memory.ts <DATABASE_URL> <runs> [charts] [--heap-snapshot=FILE]
 * (bench/digest.ts also runs it compiled against dist/, with plain node, as production runs the bot.)
 */
import { readFileSync } from "node:fs";
import { writeHeapSnapshot } from "node:v8";
import { chartRenderer } from "../src/charts/renderer.js";
import { loadEnv } from "../src/config/env.js";
import { buildDigests } from "../src/services/digest.js";
import { chartBlock, chartData, teamChartFigures } from "../src/services/funnel-chart.js";
import { TREND_WEEKS } from "../src/services/manager-figures.js";
import { openContext } from "../src/wiring.js";
import { BENCH_NOW } from "./now.js";

const args = process.argv.slice(2);
const snapshot = args.find((a) => a.startsWith("--heap-snapshot="))?.slice("--heap-snapshot=".length);
const [url, runs = "3", charts] = args.filter((a) => !a.startsWith("--"));
if (!url) throw new Error("usage: digest-memory.ts <DATABASE_URL> <runs> [charts] [--heap-snapshot=FILE]");
let peak = process.memoryUsage().rss;
/** The highest RSS of this process, the renderer and its subsetter together, read at one instant (bytes). */
let together = peak;
/**
 * The same with what they map from files (the node binary, shared libraries: the same pages for all three)
 * counted once: their anonymous and shared memory summed, plus the largest of their file-backed parts.
 */
let togetherShared = peak;
/** What each of them held at that instant (this process, the renderer, its subsetter if it ran). */
let togetherParts: number[] = [];
/** A process's resident memory now (zero once it has gone), from /proc (Linux), in bytes. */
const residentOf = (pid: number | "self") => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), own: kb("RssAnon") + kb("RssShmem"), file: kb("RssFile") };
  } catch {
    return { rss: 0, own: 0, file: 0 };
  }
};
const childrenOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().rss);
  const renderer = chartRenderer.pid;
  if (renderer === null) return;
  const all = [residentOf("self"), residentOf(renderer), ...childrenOf(renderer).map(residentOf)];
  const sum = all.reduce((total, x) => total + x.rss, 0);
  if (sum > together) togetherParts = all.map((x) => x.rss);
  together = Math.max(together, sum);
  togetherShared = Math.max(togetherShared, all.reduce((sum, x) => sum + x.own, 0) + Math.max(...all.map((x) => x.file)));
};
const sampler = setInterval(sample, 2);
const phases: { step: string; rss: number; heapUsed: number; external: number }[] = [];
const markStep = (step: string) => {
  const { rss, heapUsed, external } = process.memoryUsage();
  phases.push({ step, rss, heapUsed, external });
  sample();
};
markStep("modules");
const { ctx, close } = await openContext(loadEnv({ DATABASE_URL: url }), () => BENCH_NOW);
const openRss = process.memoryUsage().rss;
markStep("open");
/** Each run's charts (every team's figures and picture, at once), in milliseconds. */
const drawingMs: number[] = [];
try {
  for (let i = 0; i < Number(runs); i++) {
    const last = i === 0 || i === Number(runs) - 1;
    const mark = (step: string) => markStep(`${i + 1}: ${step}`);
    await buildDigests(ctx, ctx.playbook.teams.map((team) => team.key));
    if (last) mark("digests");
    else sample();
    if (charts === "charts") {
      const data = await chartData(ctx);
      if (last) mark("charts' shared data");
      // As the morning run makes them (src/jobs/digests.ts): every team's figures and picture at once.
      const started = performance.now();
      await Promise.all(ctx.playbook.teams.map(async (team) => chartBlock(ctx, await teamChartFigures(ctx, team.key, TREND_WEEKS, data), "zh-CN")));
      drawingMs.push(performance.now() - started);
      if (last) mark("every team's figures and picture");
      sample();
    }
  }
  if (snapshot) writeHeapSnapshot(snapshot);
} finally {
  clearInterval(sampler);
  await close();
}
sample();
const renderer = { ...chartRenderer.stats, drawingMs };
process.stdout.write(`${JSON.stringify({ openRss, sampledPeakRss: peak, togetherPeakRss: together, togetherParts, togetherSharedPeakRss: togetherShared, maxRss: process.resourceUsage().maxRSS * 1024, phases, renderer })}\n`);
