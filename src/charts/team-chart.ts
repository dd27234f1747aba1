import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts/core";
// Only what the picture draws (bars, lines, titles, legends, grids, text, the SVG renderer): the whole
// library (every chart type, map and component, `import "echarts"`) keeps ~45 MB more resident.
import "echarts/lib/chart/bar.js";
import "echarts/lib/chart/line.js";
import "echarts/lib/component/title.js";
import "echarts/lib/component/legend.js";
import "echarts/lib/component/grid.js";
import "echarts/lib/component/graphic.js";
import { SVGRenderer } from "echarts/renderers";
import { CHART_FONT_FAMILY, chartFonts, type ChartFontCache } from "./font.js";

echarts.use([SVGRenderer]);

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
// Ten colours, so the weekly panel's steps of a long playbook do not repeat one.
const PALETTE = ["#3b6fd8", "#f0a030", "#3aa876", "#d9534f", "#8e6bbf", "#5bc0de", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];
/** Left edges of the two columns of panels, each PANEL_WIDTH wide. */
const COLUMNS = [70, 680] as const;
const PANEL_WIDTH = 470;
const PLOT_HEIGHT = 270;
/** Room for the chart's own title and subtitle. */
const HEADING = 84;
/** A panel's title line, then its legend's rows, then its plot. */
const TITLE_ROW = 28;
const LEGEND_FONT = 12;
const LEGEND_ICON = 14;
// ECharts measures text without the font and a little short: the gap leaves room for the difference.
const LEGEND_GAP = 18;
/** ECharts puts a legend's wrapped rows a line and an item gap apart. */
const LEGEND_ROW = LEGEND_FONT + LEGEND_GAP;
/** Below a plot: its axis labels (rotated when many) before the next row of panels. */
const AXIS_ROOM = 78;

/** Whether the input has anything to draw at all. */
export function hasData(input: ChartInput): boolean {
  return input.stages.some((s) => s.count > 0) || input.times.length > 0 || input.channels.rows.length > 0
    || input.weekly.series.some((s) => s.rates.some((r) => r !== null));
}

type Box = { left: number; top: number; width: number; height: number };
/** Where one panel goes: its title's and legend's top, and its plot. */
type Panel = { titleTop: number; legendTop: number; plot: Box };

/**
 * The width a line of text takes in the bundled font, estimated generously (a CJK character is a full em,
 * anything else at most six tenths of one) so a legend is never given fewer rows than ECharts wraps it into.
 */
export function textWidth(text: string, size: number): number {
  let width = 0;
  for (const ch of text) width += ch.codePointAt(0)! >= 0x2e80 ? size : ch === " " ? size * 0.3 : size * 0.6;
  return width;
}

/** How many rows a horizontal legend of `items` wraps into within `width`. */
export function legendRows(items: readonly string[], width: number): number {
  let rows = items.length ? 1 : 0;
  let used = 0;
  for (const item of items) {
    const w = LEGEND_ICON + 5 + textWidth(item, LEGEND_FONT) + LEGEND_GAP;
    if (used > 0 && used + w > width) {
      rows++;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/**
 * The four panels in two rows. Each row is as tall as its longer legend needs: the title on its own line,
 * the legend's rows below it, then the plot, so a legend never runs into a title, whatever the language.
 */
export function panelLayout(legends: readonly [readonly string[], readonly string[], readonly string[], readonly string[]]): { panels: Panel[]; height: number } {
  const panels: Panel[] = [];
  let top = HEADING;
  for (const row of [0, 1]) {
    const rows = Math.max(...COLUMNS.map((_, column) => legendRows(legends[row * 2 + column]!, PANEL_WIDTH + 20)));
    const plotTop = top + TITLE_ROW + rows * LEGEND_ROW + 14;
    for (const left of COLUMNS) panels.push({ titleTop: top, legendTop: top + TITLE_ROW, plot: { left, top: plotTop, width: PANEL_WIDTH, height: PLOT_HEIGHT } });
    top = plotTop + PLOT_HEIGHT + AXIS_ROOM;
  }
  return { panels, height: top };
}

function emptyNote(box: Box, text: string): object {
  return { type: "text", x: box.left + box.width / 2, y: box.top + box.height / 2, style: { text, fontSize: 16, fill: "#999", fontFamily: CHART_FONT_FAMILY, align: "center", verticalAlign: "middle" } };
}

/** A funnel bar's label: its count, and its amount below where there is one and room for it (eight bars or fewer). */
function barLabel(stage: ChartInput["stages"][number], bars: number): string {
  return bars > 8 || /^0?$/.test(stage.amount) ? `${stage.count}` : `${stage.count}\n${stage.amount}`;
}

/** The ECharts option for the four panels (funnel, weekly conversion, time in stage vs SLA, channels) and the picture's height. */
export function chartOption(input: ChartInput): echarts.EChartsCoreOption & { height: number } {
  const text = { fontFamily: CHART_FONT_FAMILY };
  const base = { animation: false, backgroundColor: "#ffffff", textStyle: text, color: PALETTE };
  const heading = { text: input.title, subtext: input.subtitle, left: 20, top: 12, textStyle: { ...text, fontSize: 22 }, subtextStyle: { ...text, fontSize: 14 } };
  if (!hasData(input)) {
    return { ...base, height: 480, title: [heading], graphic: [{ type: "text", x: WIDTH / 2, y: 260, style: { text: input.noData, fontSize: 26, fill: "#888", fontFamily: CHART_FONT_FAMILY, align: "center", verticalAlign: "middle" } }] };
  }
  const empty = [
    input.stages.every((s) => s.count === 0),
    input.weekly.series.every((s) => s.rates.every((r) => r === null)),
    input.times.length === 0,
    input.channels.rows.length === 0,
  ];
  // An empty panel says so, with neither legend nor axes.
  const legends = [
    [input.labels.count, input.labels.conversion],
    input.weekly.series.map((s) => s.label),
    [input.labels.median, input.labels.sla],
    [...input.channels.milestones],
  ].map((items, i) => (empty[i] ? [] : items)) as [string[], string[], string[], string[]];
  const { panels, height } = panelLayout(legends);
  const [funnel, weekly, time, channels] = panels as [Panel, Panel, Panel, Panel];
  const panelTitle = (panel: Panel, title: string) => ({ text: title, left: panel.plot.left - 10, top: panel.titleTop, textStyle: { ...text, fontSize: 16 } });
  const legend = (panel: Panel, data: string[]) => ({
    data, left: panel.plot.left - 10, top: panel.legendTop, width: panel.plot.width + 20, textStyle: { ...text, fontSize: LEGEND_FONT },
    itemWidth: LEGEND_ICON, itemHeight: 10, itemGap: LEGEND_GAP, padding: 0,
  });
  const graphic = [funnel, weekly, time, channels].flatMap((panel, i) => (empty[i] ? [emptyNote(panel.plot, input.labels.empty)] : []));
  const category = (i: number, data: readonly string[], rotate = 0) => ({ type: "category", gridIndex: i, show: !empty[i], data: [...data], axisLabel: { ...text, interval: 0, rotate, fontSize: 11 } });
  // Bars carry their values above them: a fifth more room on top keeps the tallest one's label inside the plot.
  const value = (i: number, extra: object = {}) => ({ type: "value", gridIndex: i, show: !empty[i], boundaryGap: [0, "20%"], axisLabel: text, ...extra });
  const percent = (i: number, extra: object = {}) => ({ type: "value", gridIndex: i, show: !empty[i], min: 0, max: 100, axisLabel: { ...text, formatter: "{value}%" }, ...extra });
  return {
    ...base,
    height,
    title: [heading, panelTitle(funnel, input.labels.funnel), panelTitle(weekly, input.labels.weekly), panelTitle(time, input.labels.time), panelTitle(channels, input.labels.channels)],
    legend: [legend(funnel, legends[0]), legend(weekly, legends[1]), legend(time, legends[2]), legend(channels, legends[3])],
    grid: panels.map((p) => ({ ...p.plot, containLabel: false })),
    xAxis: [
      category(0, input.stages.map((s) => s.label), input.stages.length > 5 ? 30 : 0),
      category(1, input.weekly.weeks),
      category(2, input.times.map((s) => s.label), input.times.length > 5 ? 30 : 0),
      category(3, input.channels.rows.map((r) => r.label), input.channels.rows.length > 5 ? 30 : 0),
    ],
    // The funnel's bars keep to the lower half and its conversion line to the upper half (its axis runs from
    // -100% so that 0% sits in the middle, the negative ticks unlabelled): the two never cross, whatever the numbers.
    yAxis: [
      value(0, { boundaryGap: [0, "110%"] }),
      percent(0, { min: -100, splitLine: { show: false }, axisLabel: { ...text, formatter: (v: number) => (v >= 0 ? `${v}%` : "") } }),
      percent(1), value(2), value(3),
    ],
    graphic,
    series: [
      {
        name: input.labels.count, type: "bar", xAxisIndex: 0, yAxisIndex: 0, barMaxWidth: 46,
        data: input.stages.map((s) => s.count),
        // Past eight bars the amounts would run into each other: the count alone (the amounts are in the text).
        label: { show: true, position: "top", ...text, fontSize: 11, formatter: (p: { dataIndex: number }) => barLabel(input.stages[p.dataIndex]!, input.stages.length) },
      },
      {
        name: input.labels.conversion, type: "line", xAxisIndex: 0, yAxisIndex: 1, connectNulls: false,
        data: input.stages.map((s) => (s.conversion === null ? null : Math.round(s.conversion))),
        label: { show: true, position: "right", ...text, fontSize: 11, formatter: "{c}%" },
      },
      ...input.weekly.series.map((s) => ({ name: s.label, type: "line", xAxisIndex: 1, yAxisIndex: 2, connectNulls: true, data: s.rates.map((r) => (r === null ? null : Math.round(r))) })),
      { name: input.labels.median, type: "bar", xAxisIndex: 2, yAxisIndex: 3, itemStyle: { color: "#f0a030" }, data: input.times.map((s) => Math.round(s.median * 10) / 10), label: { show: true, position: "top", ...text, fontSize: 11 } },
      { name: input.labels.sla, type: "bar", xAxisIndex: 2, yAxisIndex: 3, data: input.times.map((s) => s.sla), itemStyle: { color: "#cccccc" } },
      // The channels' milestones in the same colours whichever panels came before them.
      ...input.channels.milestones.map((m, i) => ({ name: m, type: "bar", xAxisIndex: 3, yAxisIndex: 4, itemStyle: { color: PALETTE[(i + 2) % PALETTE.length] }, data: input.channels.rows.map((r) => r.counts[i] ?? 0), label: { show: input.channels.rows.length <= 4, position: "top", ...text, fontSize: 10 } })),
    ],
  };
}

/** The chart as SVG, from ECharts' server-side renderer (no DOM, no canvas), as tall as the option asks. */
export function renderSvg(option: echarts.EChartsCoreOption & { height: number }): string {
  const { height, ...rest } = option;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height });
  try {
    chart.setOption(rest);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * Draws SVG with resvg, text only in the bundled font (never the machine's), so every server draws the same:
 * a font file of `fonts` (the process's cache of subsets of the bundled font, by default) holding every
 * character the SVG draws. `none` loads no font at all (what a bare server would have), for the test that
 * proves the font is used.
 */
export async function rasterize(svg: string, fonts: ChartFontCache | "none" = chartFonts) {
  const file = fonts === "none" ? null : await fonts.fileFor(svg);
  const resvg = new Resvg(svg, {
    background: "#ffffff",
    font: file
      ? { fontFiles: [file], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY }
      : { loadSystemFonts: false },
  });
  return resvg.render();
}

/** SVG to PNG in the bundled font (subsets of it from `fonts`). */
export async function svgToPng(svg: string, fonts: ChartFontCache = chartFonts): Promise<Buffer> {
  return (await rasterize(svg, fonts)).asPng();
}

/**
 * One team's picture as PNG (and the SVG it came from), drawn in this process. The bot draws through
 * `drawTeamChart` (./renderer.ts), which runs this in a child process of its own.
 */
export async function renderTeamChart(input: ChartInput, fonts: ChartFontCache = chartFonts): Promise<{ png: Buffer; svg: string }> {
  const svg = renderSvg(chartOption(input));
  return { svg, png: await svgToPng(svg, fonts) };
}
