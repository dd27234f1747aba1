import { mkdirSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHART_FONT_FAMILY } from "../../src/charts/font.js";
import { chartOption, rasterize, renderSvg, renderTeamChart, type ChartInput } from "../../src/charts/team-chart.js";

/** Pixels that are not white: where something was drawn on the white background. */
function inked(svg: string, fonts: "bundled" | "none" = "bundled"): { count: number; pixels: Buffer } {
  const image = rasterize(svg, fonts);
  const px = image.pixels;
  let count = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i]! + px[i + 1]! + px[i + 2]! < 720) count++;
  return { count, pixels: px };
}

const label = (text: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80"><text x="10" y="55" font-size="40" font-family="${CHART_FONT_FAMILY}">${text}</text></svg>`;

const EMPTY: ChartInput = {
  title: "销售:漏斗一览", subtitle: "近 30d", noData: "暂无数据:客户在漏斗中流转后即会显示图表。",
  labels: { funnel: "漏斗", weekly: "每周", time: "停留", channels: "渠道", count: "客户数", conversion: "转化率", median: "中位天数", sla: "SLA", empty: "暂无数据" },
  stages: [{ label: "商机", count: 0, amount: "0", conversion: null }],
  weekly: { weeks: ["11-16"], series: [{ label: "线索→商机", rates: [null] }] },
  times: [], channels: { milestones: [], rows: [] },
};

describe("charts", () => {
  it("draws Chinese labels with the bundled font, glyph by glyph, not boxes and not nothing", () => {
    const funnel = inked(label("漏斗"));
    const sales = inked(label("销售"));
    // With no font (a bare server without the bundle) resvg draws no text at all.
    expect(inked(label("漏斗"), "none").count).toBe(0);
    expect(funnel.count).toBeGreaterThan(300);
    // Missing glyphs would draw the same .notdef box for every character; real glyphs differ.
    expect(funnel.pixels.equals(sales.pixels)).toBe(false);
    // And a character the font lacks (a private-use code point) draws differently from a real one.
    expect(inked(label("\uE000\uE001")).pixels.equals(funnel.pixels)).toBe(false);
  });

  it("says there is no data yet instead of drawing empty axes", () => {
    const svg = renderSvg(chartOption(EMPTY));
    expect(svg).toContain("暂无数据:客户在漏斗中流转后即会显示图表。");
    expect(svg).not.toContain("商机");
    expect(inked(svg).count).toBeGreaterThan(1000);
  });

  it("renders the four panels to a PNG a chat accepts", () => {
    const input: ChartInput = {
      ...EMPTY,
      stages: [{ label: "线索", count: 12, amount: "0", conversion: 75 }, { label: "商机", count: 5, amount: "250,000", conversion: 40 }, { label: "签约待接入", count: 2, amount: "140,000", conversion: null }],
      weekly: { weeks: ["10-26", "11-02", "11-09", "11-16"], series: [{ label: "线索→商机", rates: [50, 60, null, 75] }] },
      times: [{ label: "商机", median: 12.5, sla: 30 }],
      channels: { milestones: ["线索", "商机", "签约"], rows: [{ label: "webinar", counts: [10, 4, 1] }, { label: "广告", counts: [6, 2, 0] }] },
    };
    const started = performance.now();
    const { png, svg } = renderTeamChart(input);
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
