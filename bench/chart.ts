/**
 * `npm run bench:chart`: how long one team's chart takes to draw, before and after the font cache. Before:
 * resvg given the whole bundled font file (8 MB) on every render, as the first version did. After: resvg
 * given the process's subset of it (src/charts/font.ts), made on the first render and reused. ECharts'
 * SVG is built once and timed on its own. Not a test: it prints medians, and the ratio of after to before.
 */
import { Resvg } from "@resvg/resvg-js";
import os from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { CHART_FONT_FAMILY, ChartFontCache, chartFontFile } from "../src/charts/font.js";
import { chartOption, rasterize, renderSvg, type ChartInput } from "../src/charts/team-chart.js";

const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 15);

const input: ChartInput = {
  title: "销售部:漏斗一览", subtitle: "近 56d · 2026-12-01", noData: "暂无数据", labels: {
    funnel: "各阶段客户数与金额、阶段转化率", weekly: "每周转化率(近 8 周)", time: "阶段停留天数中位数 vs SLA(56d)", channels: "按来源渠道(56d 内新建)",
    count: "客户数", conversion: "转化率", median: "中位天数", sla: "SLA(天)", empty: "暂无数据",
  },
  stages: ["营销合格线索", "销售认可线索", "商机", "产品验证", "P0 签约待接入", "P5 成熟客户"].map((label, i) => ({ label, count: 6 - i, amount: `${(6 - i) * 80},000`, conversion: 90 - i * 3 })),
  weekly: { weeks: ["10-06", "10-13", "10-20", "10-27", "11-03", "11-10", "11-17", "11-24"], series: ["营销合格线索→销售认可线索", "销售认可线索→商机", "商机→产品验证"].map((label, i) => ({ label, rates: [100, 90, 80 - i * 10, 75, 100, 60, 50, 100] })) },
  times: ["营销合格线索", "销售认可线索", "商机"].map((label, i) => ({ label, median: 3 + i, sla: 7 * (i + 1) })),
  channels: { milestones: ["线索", "营销合格线索", "商机", "P0 签约待接入"], rows: ["ads", "referral", "webinar", "website"].map((label, i) => ({ label, counts: [9 - i, 8 - i, 5 - i, 3] })) },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(run: () => unknown | Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const svg = renderSvg(chartOption(input));
  const svgMs: number[] = [];
  for (let i = 0; i < RUNS; i++) svgMs.push(await time(() => renderSvg(chartOption(input))));

  const whole = chartFontFile();
  const before: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    before.push(await time(() => new Resvg(svg, { background: "#ffffff", font: { fontFiles: [whole], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY } }).render().asPng()));
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-chart-font-"));
  const fonts = new ChartFontCache(whole, dir);
  const cold = await time(async () => (await rasterize(svg, fonts)).asPng());
  const after: number[] = [];
  // Other figures each time: the numbers change, the letters do not.
  for (let i = 0; i < RUNS; i++) after.push(await time(async () => (await rasterize(svg.replace(/\d{2},000/g, `${10 + i},000`), fonts)).asPng()));
  rmSync(dir, { recursive: true, force: true });

  const b = median(before);
  const a = median(after);
  console.log(`chart render, median of ${RUNS} on this machine (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}):`);
  console.log(`  ECharts SVG:                          ${median(svgMs).toFixed(1)} ms`);
  console.log(`  PNG, whole font each render (before): ${b.toFixed(1)} ms`);
  console.log(`  PNG, cached subset (after):           ${a.toFixed(1)} ms  (${(a / b).toFixed(3)}× before; ${fonts.built} subset made)`);
  console.log(`  PNG, first render making the subset:  ${cold.toFixed(1)} ms`);
  console.log(`  whole chart, before → after:          ${(median(svgMs) + b).toFixed(0)} → ${(median(svgMs) + a).toFixed(0)} ms`);
}

await main();
