import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import { CHART_FONT_FAMILY, chartFontFile } from "./font.js";

/** What one team's picture shows, already in the reader's language: the renderer only draws. */
export interface ChartInput {
  readonly title: string;
  readonly subtitle: string;
  /** Drawn instead of the panels when there is nothing to show yet (a new install). */
  readonly noData: string;
  readonly labels: {
    readonly funnel: string; readonly weekly: string; readonly time: string; readonly channels: string;
    readonly count: string; readonly conversion: string; readonly median: string; readonly sla: string; readonly empty: string;
  };
  /** Each open stage: accounts now, their amount (shown in the label) and the conversion of the step out of it. */
  readonly stages: readonly { readonly label: string; readonly count: number; readonly amount: string; readonly conversion: number | null }[];
  readonly weekly: { readonly weeks: readonly string[]; readonly series: readonly { readonly label: string; readonly rates: readonly (number | null)[] }[] };
  /** Median days in each stage against its SLA in days. */
  readonly times: readonly { readonly label: string; readonly median: number; readonly sla: number | null }[];
  readonly channels: { readonly milestones: readonly string[]; readonly rows: readonly { readonly label: string; readonly counts: readonly number[] }[] };
}

const WIDTH = 1200;
const HEIGHT = 860;
const PALETTE = ["#3b6fd8", "#f0a030", "#3aa876", "#d9534f", "#8e6bbf", "#5bc0de"];


/** Whether the input has anything to draw at all. */
export function hasData(input: ChartInput): boolean {
  return input.stages.some((s) => s.count > 0) || input.times.length > 0 || input.channels.rows.length > 0
    || input.weekly.series.some((s) => s.rates.some((r) => r !== null));
}

type Box = { left: number; top: number; width: number; height: number };
const PANELS: Box[] = [
  { left: 70, top: 120, width: 470, height: 280 },
  { left: 680, top: 120, width: 470, height: 280 },
  { left: 70, top: 510, width: 470, height: 280 },
  { left: 680, top: 510, width: 470, height: 280 },
];

function emptyNote(box: Box, text: string): object {
  return { type: "text", left: box.left + box.width / 2 - 60, top: box.top + box.height / 2, style: { text, fontSize: 16, fill: "#999", fontFamily: CHART_FONT_FAMILY } };
}

/** The ECharts option for the four panels: funnel, weekly conversion, time in stage vs SLA, channels. */
export function chartOption(input: ChartInput): echarts.EChartsCoreOption {
  const text = { fontFamily: CHART_FONT_FAMILY };
  const base = { animation: false, backgroundColor: "#ffffff", textStyle: text, color: PALETTE };
  const heading = { text: input.title, subtext: input.subtitle, left: 20, top: 12, textStyle: { ...text, fontSize: 22 }, subtextStyle: { ...text, fontSize: 14 } };
  if (!hasData(input)) {
    return { ...base, title: [heading], graphic: [{ type: "text", left: "center", top: "middle", style: { text: input.noData, fontSize: 28, fill: "#888", fontFamily: CHART_FONT_FAMILY } }] };
  }
  const [funnel, weekly, time, channels] = PANELS as [Box, Box, Box, Box];
  const panelTitle = (box: Box, title: string) => ({ text: title, left: box.left - 10, top: box.top - 50, textStyle: { ...text, fontSize: 16 } });
  const legend = (box: Box, data: string[]) => ({ data, left: box.left + box.width - 20 - data.join("").length * 9, top: box.top - 48, textStyle: text, itemWidth: 14 });
  const graphic: object[] = [];
  if (input.weekly.series.every((s) => s.rates.every((r) => r === null))) graphic.push(emptyNote(weekly, input.labels.empty));
  if (input.times.length === 0) graphic.push(emptyNote(time, input.labels.empty));
  if (input.channels.rows.length === 0) graphic.push(emptyNote(channels, input.labels.empty));
  const category = (i: number, data: readonly string[], rotate = 0) => ({ type: "category", gridIndex: i, data: [...data], axisLabel: { ...text, interval: 0, rotate, fontSize: 11 } });
  const value = (i: number, extra: object = {}) => ({ type: "value", gridIndex: i, axisLabel: text, ...extra });
  return {
    ...base,
    title: [heading, panelTitle(funnel, input.labels.funnel), panelTitle(weekly, input.labels.weekly), panelTitle(time, input.labels.time), panelTitle(channels, input.labels.channels)],
    legend: [
      legend(funnel, [input.labels.count, input.labels.conversion]),
      legend(weekly, input.weekly.series.map((s) => s.label)),
      legend(time, [input.labels.median, input.labels.sla]),
      legend(channels, [...input.channels.milestones]),
    ],
    grid: PANELS.map((b) => ({ ...b, containLabel: false })),
    xAxis: [
      category(0, input.stages.map((s) => s.label), input.stages.length > 5 ? 30 : 0),
      category(1, input.weekly.weeks),
      category(2, input.times.map((s) => s.label), input.times.length > 5 ? 30 : 0),
      category(3, input.channels.rows.map((r) => r.label), input.channels.rows.length > 5 ? 30 : 0),
    ],
    yAxis: [value(0), value(0, { max: 100, axisLabel: { ...text, formatter: "{value}%" }, splitLine: { show: false } }), value(1, { max: 100, axisLabel: { ...text, formatter: "{value}%" } }), value(2), value(3)],
    graphic,
    series: [
      {
        name: input.labels.count, type: "bar", xAxisIndex: 0, yAxisIndex: 0, barMaxWidth: 46,
        data: input.stages.map((s) => s.count),
        label: { show: true, position: "top", ...text, fontSize: 11, formatter: (p: { dataIndex: number }) => `${input.stages[p.dataIndex]!.count}\n${input.stages[p.dataIndex]!.amount}` },
      },
      {
        name: input.labels.conversion, type: "line", xAxisIndex: 0, yAxisIndex: 1, connectNulls: false,
        data: input.stages.map((s) => (s.conversion === null ? null : Math.round(s.conversion))),
        label: { show: true, position: "right", ...text, fontSize: 11, formatter: "{c}%" },
      },
      ...input.weekly.series.map((s) => ({ name: s.label, type: "line", xAxisIndex: 1, yAxisIndex: 2, connectNulls: true, data: s.rates.map((r) => (r === null ? null : Math.round(r))) })),
      { name: input.labels.median, type: "bar", xAxisIndex: 2, yAxisIndex: 3, data: input.times.map((s) => Math.round(s.median * 10) / 10), label: { show: true, position: "top", ...text, fontSize: 11 } },
      { name: input.labels.sla, type: "bar", xAxisIndex: 2, yAxisIndex: 3, data: input.times.map((s) => s.sla), itemStyle: { color: "#cccccc" } },
      ...input.channels.milestones.map((m, i) => ({ name: m, type: "bar", xAxisIndex: 3, yAxisIndex: 4, data: input.channels.rows.map((r) => r.counts[i] ?? 0), label: { show: input.channels.rows.length <= 4, position: "top", ...text, fontSize: 10 } })),
    ],
  };
}

/** The chart as SVG, from ECharts' server-side renderer (no DOM, no canvas). */
export function renderSvg(option: echarts.EChartsCoreOption, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * Draws SVG with resvg, text only in the bundled font (never the machine's), so every server draws the same;
 * `none` loads no font at all (what a bare server would have), for the test that proves the font is used.
 */
export function rasterize(svg: string, fonts: "bundled" | "none" = "bundled") {
  const resvg = new Resvg(svg, {
    background: "#ffffff",
    font: fonts === "bundled"
      ? { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY }
      : { loadSystemFonts: false },
  });
  return resvg.render();
}

/** SVG to PNG in the bundled font. */
export function svgToPng(svg: string): Buffer {
  return rasterize(svg).asPng();
}

/** One team's picture as PNG (and the SVG it came from). */
export function renderTeamChart(input: ChartInput): { png: Buffer; svg: string } {
  const svg = renderSvg(chartOption(input));
  return { svg, png: svgToPng(svg) };
}
