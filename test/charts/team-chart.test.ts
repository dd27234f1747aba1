import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { CHART_FONT_FAMILY, ChartFontCache, chartFontFile, chartFonts } from "../../src/charts/font.js";
import { chartOption, legendRows, rasterize, renderSvg, renderTeamChart, type ChartInput } from "../../src/charts/team-chart.js";

/** Pixels that are not white: where something was drawn on the white background. */
async function inked(svg: string, fonts: ChartFontCache | "none" = chartFonts): Promise<{ count: number; pixels: Buffer }> {
  const image = await rasterize(svg, fonts);
  const px = image.pixels;
  let count = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i]! + px[i + 1]! + px[i + 2]! < 720) count++;
  return { count, pixels: px };
}

const label = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80"><text x="10" y="55" font-size="40" font-family="${CHART_FONT_FAMILY}">${text}</text></svg>`;

const EMPTY: ChartInput = {
  title: "销售:漏斗一览", subtitle: "近 30 天", noData: "暂无数据:客户在漏斗中流转后即会显示图表。",
  labels: { funnel: "漏斗", weekly: "每周", time: "停留", channels: "渠道", count: "客户数", conversion: "转化率", median: "中位天数", sla: "SLA", empty: "暂无数据" },
  stages: [{ label: "商机", count: 0, amount: "0", conversion: null }],
  weekly: { weeks: ["11-16"], series: [{ label: "线索→商机", rates: [null] }] },
  times: [], channels: { milestones: [], rows: [] },
};

const FULL: ChartInput = {
  ...EMPTY,
  stages: [{ label: "线索", count: 12, amount: "0", conversion: 75 }, { label: "商机", count: 5, amount: "250,000", conversion: 40 }, { label: "签约待接入", count: 2, amount: "140,000", conversion: null }],
  weekly: { weeks: ["10-26", "11-02", "11-09", "11-16"], series: [{ label: "线索→商机", rates: [50, 60, null, 75] }] },
  times: [{ label: "商机", median: 12.5, sla: 30 }],
  channels: { milestones: ["线索", "商机", "签约"], rows: [{ label: "webinar", counts: [10, 4, 1] }, { label: "广告", counts: [6, 2, 0] }] },
};

describe("charts", () => {
  it("draws Chinese labels with the bundled font, glyph by glyph, not boxes and not nothing", async () => {
    const funnel = await inked(label("漏斗"));
    const sales = await inked(label("销售"));
    // With no font (a bare server without the bundle) resvg draws no text at all.
    expect((await inked(label("漏斗"), "none")).count).toBe(0);
    expect(funnel.count).toBeGreaterThan(300);
    // Missing glyphs would draw the same .notdef box for every character; real glyphs differ.
    expect(funnel.pixels.equals(sales.pixels)).toBe(false);
    // And a character the font lacks (a private-use code point) draws differently from a real one.
    expect((await inked(label("\uE000\uE001"))).pixels.equals(funnel.pixels)).toBe(false);
  });

  it("draws from a subset of the font made once per set of characters, pixel for pixel as the whole font draws", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chart-font-"));
    const fonts = new ChartFontCache(chartFontFile(), dir);
    const svg = renderSvg(chartOption(FULL));
    const whole = new Resvg(svg, { background: "#ffffff", font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY } }).render().pixels;
    expect((await rasterize(svg, fonts)).pixels.equals(whole)).toBe(true);
    // Other numbers, the same letters: no new subset.
    await rasterize(svg.replace(/250,000/g, "310,000"), fonts);
    expect(fonts.built).toBe(1);
    // A new character grows it once, and the file before it is removed.
    const first = readdirSync(dir);
    const grown = await inked(label("鑫"), fonts);
    expect(fonts.built).toBe(2);
    expect(grown.count).toBeGreaterThan(300);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(existsSync(path.join(dir, first[0]!))).toBe(false);
    // Two renders at once make one subset between them.
    await Promise.all([inked(label("淼"), fonts), inked(label("淼"), fonts)]);
    expect(fonts.built).toBe(3);
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes the first subset with a subsetter started ahead, and a second with a new one", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chart-font-"));
    const fonts = new ChartFontCache(chartFontFile(), dir);
    fonts.prepare();
    const svg = renderSvg(chartOption(FULL));
    const whole = new Resvg(svg, { background: "#ffffff", font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY } }).render().pixels;
    expect((await rasterize(svg, fonts)).pixels.equals(whole)).toBe(true);
    // Once a subset exists there is nothing to start ahead: a new character starts its own subsetter.
    fonts.prepare();
    expect((await inked(label("鑫"), fonts)).count).toBeGreaterThan(300);
    expect(fonts.built).toBe(2);
    expect(readdirSync(dir)).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it("says there is no data yet instead of drawing empty axes", async () => {
    const svg = renderSvg(chartOption(EMPTY));
    expect(svg).toContain("暂无数据:客户在漏斗中流转后即会显示图表。");
    expect(svg).not.toContain("商机");
    expect((await inked(svg)).count).toBeGreaterThan(1000);
  });

  it("keeps every legend between its panel's title and plot, inside its own column, however long the steps' names", () => {
    const steps = ["Lead→MQL", "MQL→Sales accepted", "Sales accepted→Opportunity", "Opportunity→Product qualified", "Product qualified→P0 Signed", "P0 Signed→P1 Integration", "P1 Integration→P2 Testing", "P2 Testing→P3 Go-live", "P3 Go-live→P4 Stable", "P4 Stable→P5 Mature"];
    for (const names of [steps, ["营销合格线索→销售认可线索", "销售认可线索→商机", "商机→产品验证", "产品验证→P0 签约待接入", "P0 签约待接入→P1 技术对接"]]) {
      const option = chartOption({
        ...EMPTY,
        stages: [{ label: "Lead", count: 3, amount: "0", conversion: 50 }],
        weekly: { weeks: ["11-09", "11-16"], series: names.map((label) => ({ label, rates: [50, 60] })) },
        times: [{ label: "Lead", median: 2, sla: 14 }],
        channels: { milestones: ["Lead", "MQL", "Opportunity", "P0 Signed"], rows: [{ label: "webinar", counts: [4, 3, 2, 1] }] },
      });
      const titles = (option.title as { top: number; left: number }[]).slice(1);
      const legends = option.legend as { top: number; left: number; width: number; data: string[] }[];
      const grids = option.grid as { top: number; left: number; width: number }[];
      legends.forEach((legend, i) => {
        expect(legend.left).toBe(titles[i]!.left);
        // Below its title's line, and its rows (as ECharts wraps them, a 12 px line and an 18 px gap each) above the plot.
        expect(legend.top).toBeGreaterThanOrEqual(titles[i]!.top + 28);
        expect(grids[i]!.top).toBeGreaterThanOrEqual(legend.top + legendRows(legend.data, legend.width) * 30);
        // Never into the other column: the old layout pushed a long legend left, across the funnel's title.
        expect(legend.left).toBeGreaterThanOrEqual(grids[i]!.left - 10);
        expect(legend.left + legend.width).toBeLessThanOrEqual(grids[i]!.left + grids[i]!.width + 10);
      });
      expect(legendRows(legends[1]!.data, legends[1]!.width)).toBeGreaterThan(1);
      // The second row of panels starts below the first one's plots and their axis labels.
      expect(titles[2]!.top).toBeGreaterThan(grids[0]!.top + 270 + 40);
    }
  });

  it("says a panel has no data yet, without axes, when only that panel is empty", () => {
    const option = chartOption({ ...EMPTY, weekly: { weeks: ["11-09", "11-16"], series: [{ label: "线索→商机", rates: [50, 60] }] } });
    const svg = renderSvg(option);
    expect(svg).toContain("暂无数据");
    expect((option.xAxis as { show: boolean }[]).map((a) => a.show)).toEqual([false, true, false, false]);
    expect((option.legend as { data: string[] }[]).map((l) => l.data.length)).toEqual([0, 1, 0, 0]);
  });

  it("renders the four panels to a PNG a chat accepts", async () => {
    const started = performance.now();
    const { png, svg } = await renderTeamChart(FULL);
    const ms = performance.now() - started;
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeLessThan(500_000);
    expect(svg).toContain("签约待接入");
    expect(svg).toContain("250,000");
    mkdirSync("test-artifacts", { recursive: true });
    writeFileSync("test-artifacts/chart-zh.png", png);
    expect(ms).toBeLessThan(5_000);
  });
});
