import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartRenderer } from "../../src/charts/renderer.js";
import { createLead } from "../../src/services/create-lead.js";
import { importSpend } from "../../src/services/record-spend.js";
import { runCommand } from "../../src/services/run-command.js";
import { spendIn } from "../../src/store/figures.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

describe.each(testDatabases())("the manager's commands on $name", ({ url }) => {
  let f: Fixture;
  const run = (who: string, line: string) => runCommand(f.ctx, f.members[who]!, line, { platform: "cli" });
  beforeAll(async () => {
    f = await openFixture(await url());
    for (const source of ["webinar", "ads"]) {
      const made = await createLead(f.ctx, f.members.mia!, { company: `${source} Co`, email: null, domain: `${source}.example`, source, amount: 1000, region: null, industry: null }, { platform: "cli" });
      expect(made.ok).toBe(true);
    }
  });
  afterAll(async () => f?.close());

  it("lets only managers of marketing and admins record spend, through the permission table", async () => {
    expect((await run("mia", "漏斗 投入 webinar 2026-11 5万")).text).toContain("2026-11");
    expect((await run("admin", "/funnel spend ads 2026-10 12k")).errorCode).toBeUndefined();
    expect((await run("mark", "/funnel spend ads 2026-10 100")).errorCode).toBe("forbidden");
    expect((await run("sam", "/funnel spend ads 2026-10 100")).errorCode).toBe("forbidden");
    expect(await spendIn(f.db, ["2026-10", "2026-11"])).toEqual(expect.arrayContaining([
      { channel: "webinar", month: "2026-11", amount: 50_000, currency: "CNY" }, { channel: "ads", month: "2026-10", amount: 12_000, currency: "CNY" },
    ]));
  });

  it("answers bad spend and bad windows with what to type, in English and Chinese", async () => {
    expect(await run("admin", "/funnel spend tiktok 2026-11 100")).toMatchObject({ errorCode: "unknown-channel", text: expect.stringContaining("ads, webinar") });
    expect(await run("admin", "/funnel spend ads 2027-01 100")).toMatchObject({ errorCode: "invalid-month", text: expect.stringContaining("hasn't started") });
    expect(await run("admin", "/funnel spend ads 2026/11 100")).toMatchObject({ errorCode: "invalid-month", text: expect.stringContaining("YYYY-MM") });
    expect(await run("admin", "/funnel spend ads 2026-11 lots")).toMatchObject({ errorCode: "invalid-amount" });
    expect(await run("sam", "/funnel sales 2099-Q1")).toMatchObject({ errorCode: "invalid-window", text: expect.stringContaining("2026-Q3") });
    expect(await run("mia", "漏斗 sales 9x")).toMatchObject({ errorCode: "invalid-window", text: expect.stringContaining("请输入天数如 30d") });
    expect((await run("sam", "/funnel chart nowhere")).errorCode).toBe("unknown-team");
  });

  it("shows the figures over the manager's window, and the chart as an image", async () => {
    const shown = await run("sam", "/funnel 90d");
    expect(shown.errorCode).toBeUndefined();
    expect(shown.text).toContain("Lead: 2 open · 2,000 · 0 entered (=)");
    // The window is said as people say it, in each language.
    expect(shown.text).toContain("Open accounts by stage (entered in 90 days, against the period before)");
    expect((await run("mia", "漏斗 90d")).text).toContain("各阶段进行中客户(90 天内新进入,与上一周期对比)");
    expect(shown.text).not.toContain("MQL: 0 open");
    expect(shown.text).toMatch(/webinar: Lead 1 → MQL 0 \(0%\) → Opportunity 0 → P0 Signed 0 · spend CNY 50,000 · 0 won · CAC — /);
    expect(shown.text).toContain("ads: Lead 1");
    expect(shown.text).toMatch(/Opportunity 30% \+ P0 Signed 90%: nothing in these stages yet/);
    const chart = await run("mia", "漏斗 图表 marketing 12");
    const image = chart.blocks.find((b) => b.kind === "image");
    expect(image && image.kind === "image" && Buffer.from(image.png, "base64").subarray(1, 4).toString()).toBe("PNG");
    expect(chart.text).toContain("漏斗一览");
    expect(chart.text).toContain("近 84 天");
  });

  it("answers a chart whose renderer crashed or hung in a short sentence, and draws the next one in a new renderer", async () => {
    for (const [who, line, text] of [
      ["sam", "/funnel chart sales", "⚠️ The chart couldn't be drawn just now. Please try again in a moment."],
      ["mia", "漏斗 图表 marketing", "⚠️ 图表暂时无法生成,请稍后重试。"],
    ] as const) {
      chartRenderer.start();
      const pid = chartRenderer.pid!;
      // Stopped, as a hung renderer would be; then killed while the chart waits for it.
      process.kill(pid, "SIGSTOP");
      const answer = run(who, line);
      for (let waited = 0; chartRenderer.drawing === 0; waited += 20) {
        if (waited > 30_000) throw new Error("the chart never reached the renderer");
        await new Promise((r) => setTimeout(r, 20));
      }
      process.kill(pid, "SIGKILL");
      expect(await answer).toMatchObject({ text, errorCode: "chart-failed", blocks: [{ kind: "text", text }] });
    }
    const chart = await run("sam", "/funnel chart sales");
    expect(chart.errorCode).toBeUndefined();
    expect(chart.blocks.some((b) => b.kind === "image")).toBe(true);
  }, 90_000);

  it("imports spend from a CSV file, row by row, reporting the bad rows by line", async () => {
    const report = await importSpend(f.ctx, "渠道,月份,金额\nwebinar,2026-09,8000\nads,2026-13,10\nnobody,2026-09,5\nads,2026-09,abc\n", { platform: "cli" });
    expect(report).toEqual({ recorded: 1, errors: [{ line: 3, code: "invalid-month", text: "2026-13" }, { line: 4, code: "unknown-channel", text: "nobody" }, { line: 5, code: "invalid-amount", text: "abc" }] });
    expect(await spendIn(f.db, ["2026-09"])).toEqual([{ channel: "webinar", month: "2026-09", amount: 8000, currency: "CNY" }]);
  });
});
