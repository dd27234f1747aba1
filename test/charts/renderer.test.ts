// The chart renderer's own process (src/charts/renderer.ts): the bot's charts are drawn there, so ECharts and
// resvg never load in the bot (test/start-memory.test.ts traces the real server for that).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { bundleRenderChild, cachedRenderChild } from "../../src/charts/child-bundle.js";
import { ChartRenderError, ChartRenderer } from "../../src/charts/renderer.js";
import { renderTeamChart, type ChartInput } from "../../src/charts/team-chart.js";
import { ROOT } from "../support/processes.js";

const ZH: ChartInput = {
  title: "销售:漏斗一览", subtitle: "近 30 天", noData: "暂无数据:客户在漏斗中流转后即会显示图表。",
  labels: { funnel: "漏斗", weekly: "每周", time: "停留", channels: "渠道", count: "客户数", conversion: "转化率", median: "中位天数", sla: "SLA", empty: "暂无数据" },
  stages: [{ label: "线索", count: 12, amount: "0", conversion: 75 }, { label: "商机", count: 5, amount: "250,000", conversion: 40 }, { label: "签约待接入", count: 2, amount: "140,000", conversion: null }],
  weekly: { weeks: ["10-26", "11-02", "11-09", "11-16"], series: [{ label: "线索→商机", rates: [50, 60, null, 75] }] },
  times: [{ label: "商机", median: 12.5, sla: 30 }],
  channels: { milestones: ["线索", "商机", "签约"], rows: [{ label: "webinar", counts: [10, 4, 1] }, { label: "广告", counts: [6, 2, 0] }] },
};
const EN: ChartInput = {
  ...ZH, title: "Sales: the funnel at a glance", subtitle: "last 30 days",
  stages: [{ label: "Lead", count: 7, amount: "0", conversion: 50 }, { label: "Opportunity", count: 3, amount: "90,000", conversion: null }],
};
const NONE: ChartInput = { ...ZH, stages: [], weekly: { weeks: [], series: [] }, times: [], channels: { milestones: [], rows: [] } };

/** Whether a process of that pid is still there. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  for (let waited = 0; !ok(); waited += 25) {
    if (waited > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The font directory the renderer's process `pid` was given (the argument after its program). */
const fontDirOf = (pid: number) => {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return args[args.findIndex((a) => /render-child\.(ts|js)$/.test(a)) + 1]!;
};

describe("the chart renderer's process", () => {
  const renderers: ChartRenderer[] = [];
  const renderer = (options: ConstructorParameters<typeof ChartRenderer>[0] = {}) => {
    const made = new ChartRenderer(options);
    renderers.push(made);
    return made;
  };
  afterEach(async () => {
    for (const made of renderers.splice(0)) await made.close();
  });

  it("draws several charts at once in one process, byte for byte the PNGs drawn in this one", async () => {
    const charts = renderer({ idleMs: 60_000 });
    charts.start();
    const pid = charts.pid!;
    const drawn = await Promise.all([charts.draw(ZH), charts.draw(EN), charts.draw(NONE), charts.draw(ZH)]);
    for (const [i, input] of [ZH, EN, NONE, ZH].entries()) expect(drawn[i]!.equals((await renderTeamChart(input)).png)).toBe(true);
    // Started ahead, used for all four, and still the same one for a chart a moment later.
    expect(await charts.draw(EN)).toEqual(drawn[1]);
    expect(charts.stats.started).toBe(1);
    expect(charts.pid).toBe(pid);
    // One subset of the font for the four, cut from their text before ECharts and resvg loaded (the empty chart's
    // words are in no other), so the subsetter was never resident beside them.
    expect(charts.stats.subsetsMade).toBe(1);
    // It says what it held at most (ECharts, resvg and a picture), and what its font subsetter did (harfbuzz and the font).
    expect(charts.stats.peakRss).toBeGreaterThan(50 * 1024 * 1024);
    expect(charts.stats.subsetterPeakRss).toBeGreaterThan(30 * 1024 * 1024);
  }, 60_000);

  it("runs from the sources as one bundled JavaScript file with plain node, no TypeScript loader, built once and reused", async () => {
    const charts = renderer();
    charts.start();
    const args = readFileSync(`/proc/${charts.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const bundle = cachedRenderChild();
    expect(args.slice(0, 3)).toEqual([process.execPath, "--max-semi-space-size=1", bundle]);
    expect(args.filter((a) => a.includes("tsx"))).toEqual([]);
    expect(bundle.startsWith(path.join(ROOT, "node_modules", ".cache"))).toBe(true);
    // Kept while its sources are unchanged: the next process starts from the same file.
    expect(cachedRenderChild()).toBe(bundle);
    expect((await charts.draw(EN)).equals((await renderTeamChart(EN)).png)).toBe(true);
  }, 60_000);

  it("fails the charts of a process that crashed with a short error, and starts a new one for the next chart", async () => {
    const charts = renderer();
    const first = charts.draw(ZH);
    const again = charts.draw(EN);
    const pid = charts.pid!;
    process.kill(pid, "SIGKILL");
    for (const chart of [first, again]) await expect(chart).rejects.toThrow(ChartRenderError);
    expect((await charts.draw(ZH)).subarray(1, 4).toString()).toBe("PNG");
    expect(charts.pid).not.toBe(pid);
    expect(charts.stats.started).toBe(2);
  }, 60_000);

  it("ends a process that hangs, fails its chart, and draws the next one in a new process", async () => {
    const charts = renderer({ timeoutMs: 60_000 });
    await charts.draw(EN);
    const pid = charts.pid!;
    process.kill(pid, "SIGSTOP");
    // A short limit only once warm: a cold start on a loaded test machine can take seconds.
    charts.timeoutMs = 1_500;
    const started = performance.now();
    await expect(charts.draw(ZH)).rejects.toThrow(/did not answer in time/);
    expect(performance.now() - started).toBeLessThan(5_000);
    charts.timeoutMs = 60_000;
    await until("the hung process is gone", () => !alive(pid));
    expect((await charts.draw(ZH)).equals((await renderTeamChart(ZH)).png)).toBe(true);
    expect(charts.stats.started).toBe(2);
  }, 60_000);

  it("leaves after its idle time, and a later chart starts another from the font subset the first one made", async () => {
    // This process's directory for subsets, shared by its renderers: this test looks at what its own made.
    const fonts = path.join(os.tmpdir(), `funnelbot-charts-${process.pid}`);
    const before = new Set(existsSync(fonts) ? readdirSync(fonts) : []);
    const made = () => readdirSync(fonts).filter((name) => !before.has(name));
    const charts = renderer({ idleMs: 300 });
    const png = await charts.draw(ZH);
    const pid = charts.pid!;
    expect(fontDirOf(pid)).toBe(fonts);
    const [first] = made();
    expect(made()).toEqual([first]);
    expect(charts.stats.subsetsMade).toBe(1);
    await until("the idle process has left", () => !alive(pid));
    expect(charts.pid).toBe(null);
    // The same characters the next morning: the same picture, with no subset made (no harfbuzz) this time.
    expect((await charts.draw(ZH)).equals(png)).toBe(true);
    expect(charts.stats.started).toBe(2);
    expect(charts.stats.subsetsMade).toBe(1);
    // A new character grows it once more, in place of the one before.
    expect((await charts.draw({ ...ZH, title: "鑫" })).subarray(1, 4).toString()).toBe("PNG");
    expect(charts.stats.subsetsMade).toBe(2);
    expect(made()).toHaveLength(1);
    expect(made()).not.toEqual([first]);
    // Started ahead for a chart that never came (its figures failed), and started again while idle: it leaves too.
    const unused = renderer({ idleMs: 300 });
    unused.start();
    const ahead = unused.pid!;
    unused.start();
    expect(unused.pid).toBe(ahead);
    await until("the unused process has left", () => !alive(ahead));
  }, 60_000);

  it("runs from compiled JavaScript with plain node, its program beside it, as from dist/ in the image", async () => {
    // The charts' modules compiled to JavaScript modules, as `npm run build` compiles them, into a folder of their own,
    // and the renderer's program bundled over its compiled module, as the build's last step does.
    const out = path.join(ROOT, "test-artifacts", "charts-js", "charts");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const name of ["renderer", "render-child", "team-chart", "font", "child-bundle"]) {
      const source = readFileSync(path.join(ROOT, "src", "charts", `${name}.ts`), "utf8");
      const { outputText } = ts.transpileModule(source, { fileName: `${name}.ts`, compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(path.join(out, `${name}.js`), outputText);
    }
    writeFileSync(path.join(out, "package.json"), JSON.stringify({ type: "module" }));
    bundleRenderChild(path.join(out, "render-child.js"));
    const script = `import { readFileSync } from "node:fs";
      import { chartRenderer, drawTeamChart } from ${JSON.stringify(path.join(out, "renderer.js"))};
      chartRenderer.start();
      const args = readFileSync("/proc/" + chartRenderer.pid + "/cmdline", "utf8").split("\\0").filter(Boolean);
      const png = await drawTeamChart(${JSON.stringify(EN)});
      console.log(JSON.stringify({ png: png.toString("base64"), started: chartRenderer.stats.started, args }));`;
    // No tsx anywhere: neither for this process nor (had it asked for it) for the renderer's.
    const child = spawn(process.execPath, ["--input-type=module", "--eval", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NODE_OPTIONS: "" } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(0);
    const drawn = JSON.parse(stdout) as { png: string; started: number; args: string[] };
    expect(drawn.started).toBe(1);
    // The bundled program beside it, with plain node and no loader.
    expect(drawn.args.slice(0, 3)).toEqual([process.execPath, "--max-semi-space-size=1", path.join(out, "render-child.js")]);
    expect(Buffer.from(drawn.png, "base64").equals((await renderTeamChart(EN)).png)).toBe(true);
  }, 60_000);

  it("never keeps the process that uses it alive once its charts are drawn, and cleans up after itself and killed ones", async () => {
    // What a bot killed with its renderer's subsets left: removed by the next process that draws.
    const dead = spawnSync("true").pid;
    const left = path.join(os.tmpdir(), `funnelbot-charts-${dead}`);
    mkdirSync(left, { recursive: true });
    writeFileSync(path.join(left, "funnelbot-chart-font-1-0.otf"), "");
    // A script that draws one chart with the bot's renderer (idle time 20 s) and does nothing else.
    const script = `import { readFileSync } from "node:fs";
      import { chartRenderer, drawTeamChart } from ${JSON.stringify(path.join(ROOT, "src/charts/renderer.ts"))};
      const png = await drawTeamChart(${JSON.stringify(EN)});
      const args = readFileSync("/proc/" + chartRenderer.pid + "/cmdline", "utf8").split("\\0");
      console.log("drawn", png.length, args[args.findIndex((a) => /render-child\\.(ts|js)$/.test(a)) + 1]);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let drawnAt = 0;
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      drawnAt ||= performance.now();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: expect.stringMatching(/^drawn \d+ \/.+$/) });
    // The font subsets' directory goes with it, and the one left by a killed process before it.
    const fonts = out.trim().split(" ")[2]!;
    expect(fonts).toBe(path.join(os.tmpdir(), `funnelbot-charts-${child.pid}`));
    expect(existsSync(fonts)).toBe(false);
    expect(existsSync(left)).toBe(false);
    // Well before the renderer's 20 s idle time: nothing of it held the script open.
    expect(performance.now() - drawnAt).toBeLessThan(15_000);
    // Yet closing it waits for its process to leave (the script does not end first, its `await` unsettled).
    const closing = `import { ChartRenderer } from ${JSON.stringify(path.join(ROOT, "src/charts/renderer.ts"))};
      const charts = new ChartRenderer();
      charts.start();
      const pid = charts.pid;
      await charts.close();
      let gone = false;
      try { process.kill(pid, 0); } catch { gone = true; }
      console.log("closed", gone);`;
    const closer = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", closing], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let said = "";
    closer.stdout.on("data", (chunk: Buffer) => (said += chunk.toString()));
    expect({ code: await new Promise<number | null>((resolve) => closer.on("close", resolve)), said: said.trim() }).toEqual({ code: 0, said: "closed true" });
  }, 60_000);
});
