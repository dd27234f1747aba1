import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cachedRenderChild } from "./child-bundle.js";
import type { FontSubset } from "./font.js";
import type { ChartInput } from "./team-chart.js";

/** One chart for the renderer's process to draw. */
export interface RenderRequest {
  readonly id: number;
  readonly input: ChartInput;
}

/**
 * The renderer's answer to one request: the PNG, or why not; and the peak RSS so far (bytes) of the process and
 * of the font subsetters it started.
 */
export type RenderReply = {
  readonly id: number; readonly peakRss: number; readonly subsetterPeakRss: number;
  /** The font subset it holds now (the next process starts from it), and how many it made. */
  readonly subset: FontSubset | null; readonly subsetsMade: number;
} & ({ readonly png: Uint8Array } | { readonly error: string });

/** A chart that could not be drawn (the renderer failed, crashed or hung): the user gets a short message, never this text. */
export class ChartRenderError extends Error {}

/** After this long with nothing to draw the renderer's process leaves, and its memory goes back to the system. */
export const RENDERER_IDLE_MS = 20_000;
/** A chart not back within this long (the process hung or the machine is starved): the process is ended. */
export const RENDER_TIMEOUT_MS = 30_000;

/**
 * V8's young generation kept small (1 MB semi-spaces instead of 16): the renderer's garbage is a few large
 * short-lived strings and buffers a chart, and its peak RSS over four charts fell ~25–35 MB (136 → 112 MB from
 * dist/, 183 → 148 MB through tsx) with the same pictures.
 */
const CHILD_FLAGS = ["--max-semi-space-size=1"];

/**
 * The child's program and how to run it: plain JavaScript, one bundled file (./child-bundle.ts), with no
 * TypeScript loader. From dist/ (`node dist/main.js`, the image) the bundle `npm run build` wrote beside this
 * module; from a source file (`npm start`, vitest, the benchmarks) the bundle built from the sources and cached;
 * render-child.ts through tsx only if that bundle cannot be built. None of this process's own flags (a heap
 * ceiling, an inspector, a module trace) are passed on.
 */
function childProgram(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return { file: path.join(path.dirname(here), "render-child.js"), execArgv: CHILD_FLAGS };
  try {
    return { file: cachedRenderChild(), execArgv: CHILD_FLAGS };
  } catch {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    return { file: path.join(path.dirname(here), "render-child.ts"), execArgv: [...CHILD_FLAGS, "--import", tsx] };
  }
}

/** Where the renderer's processes keep the font's subsets, for this process's life; made on the first chart. */
let fontDir: string | null = null;

/**
 * The directory the renderer's processes keep the font's subsets in, one for this process's life, so that each
 * renderer starts from the subset the one before made; removed when this process exits. A process killed
 * (SIGKILL, or SIGTERM with no handler: a test worker) leaves its directory: the next one removes those whose
 * process is gone.
 */
function fontDirectory(): string {
  if (fontDir) return fontDir;
  const tmp = os.tmpdir();
  for (const name of readdirSync(tmp)) {
    const pid = /^funnelbot-charts-(\d+)$/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
  const dir = path.join(tmp, `funnelbot-charts-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return (fontDir = dir);
}

/** Whether a process of that pid runs (one of another user's counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

type Waiting = { resolve: (png: Buffer) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/** One renderer process, running. */
interface Running {
  readonly child: ChildProcess;
  readonly waiting: Map<number, Waiting>;
  idle: NodeJS.Timeout | null;
  readonly exited: Promise<void>;
  /** Font subsets it has made so far. */
  subsetsMade: number;
}

/**
 * Draws charts in a child process, so the bot never loads ECharts or resvg, and the ~60 MB they and the
 * pictures' buffers take (which glibc kept in the bot after the first chart) are returned when it exits.
 * One process at a time: started ahead of a chart (`start`, while its figures load), reused for the charts
 * that follow (a morning's teams, requests close together), and ended after `idleMs` with nothing to draw.
 * A process that fails, crashes or hangs fails the charts it had with a ChartRenderError; the next chart
 * starts a new one. An idle process never keeps the bot (or a test) alive.
 */
export class ChartRenderer {
  private running: Running | null = null;
  private nextId = 0;
  private readonly idleMs: number;
  /** How long a chart may take, its process's start included (a test shortens it once the process is warm). */
  timeoutMs: number;

  /**
   * Processes started, the highest peak RSS any of them (and their font subsetters) reported (bytes), and the
   * font subsets they made: for the benchmark and tests.
   */
  readonly stats = { started: 0, peakRss: 0, subsetterPeakRss: 0, subsetsMade: 0 };
  /** The font subset the last process held: the next one starts from it. */
  private subset: FontSubset | null = null;

  constructor(options: { idleMs?: number; timeoutMs?: number } = {}) {
    this.idleMs = options.idleMs ?? RENDERER_IDLE_MS;
    this.timeoutMs = options.timeoutMs ?? RENDER_TIMEOUT_MS;
  }

  /** The running process's pid, if one runs. */
  get pid(): number | null {
    return this.running?.child.pid ?? null;
  }

  /** How many charts the running process has yet to send back. */
  get drawing(): number {
    return this.running?.waiting.size ?? 0;
  }

  /** Starts the process ahead of a chart, if none runs: its start and ECharts' loading overlap the figures' queries. */
  start(): void {
    try {
      const run = this.current();
      // Its idle time counts again from now.
      if (run.waiting.size === 0) this.busy(run, false);
    } catch {
      // The chart that follows tries again and says so.
    }
  }

  /** One chart as PNG, drawn in the renderer's process. */
  draw(input: ChartInput): Promise<Buffer> {
    let run: Running;
    try {
      run = this.current();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const id = ++this.nextId;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.end(run, "the chart renderer did not answer in time"), this.timeoutMs);
      run.waiting.set(id, { resolve, reject, timer });
      this.busy(run, true);
      run.child.send({ id, input } satisfies RenderRequest, undefined, undefined, (error) => {
        if (error) this.end(run, "the chart renderer could not be reached");
      });
    });
  }

  /** Ends the process, if one runs, failing what it had; resolves when it has exited. */
  async close(): Promise<void> {
    const run = this.running;
    if (!run) return;
    this.end(run, "the chart renderer was closed");
    // Held until it has gone: an idle one is unref'd, and waiting on it alone would let this process exit first.
    run.child.ref();
    await run.exited;
  }

  private current(): Running {
    if (this.running) return this.running;
    let child: ChildProcess;
    try {
      const { file, execArgv } = childProgram();
      child = fork(file, [fontDirectory(), JSON.stringify(this.subset)], { execArgv, serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
    } catch (error) {
      throw new ChartRenderError(`the chart renderer could not be started: ${(error as Error).message}`);
    }
    this.stats.started++;
    const run: Running = {
      child, waiting: new Map(), idle: null, subsetsMade: 0,
      exited: new Promise<void>((resolve) => {
        const gone = (why: string) => {
          this.fail(run, why);
          resolve();
        };
        child.once("exit", (code, signal) => gone(`the chart renderer exited (${signal ?? code})`));
        // Spawning failed (no pid): no `exit` follows. Otherwise an error is a failed send or kill, handled there.
        child.on("error", () => {
          if (child.pid === undefined) gone("the chart renderer could not be started");
        });
      }),
    };
    child.on("message", (reply: RenderReply) => this.answer(run, reply));
    this.running = run;
    this.busy(run, false);
    return run;
  }

  private answer(run: Running, reply: RenderReply): void {
    this.stats.peakRss = Math.max(this.stats.peakRss, reply.peakRss);
    this.stats.subsetterPeakRss = Math.max(this.stats.subsetterPeakRss, reply.subsetterPeakRss);
    if (reply.subset && (run === this.running || !this.subset)) this.subset = reply.subset;
    this.stats.subsetsMade += reply.subsetsMade - run.subsetsMade;
    run.subsetsMade = reply.subsetsMade;
    const waiting = run.waiting.get(reply.id);
    if (!waiting) return;
    run.waiting.delete(reply.id);
    clearTimeout(waiting.timer);
    if ("png" in reply) waiting.resolve(Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength));
    else waiting.reject(new ChartRenderError(`the chart could not be drawn: ${reply.error}`));
    if (run.waiting.size === 0) this.busy(run, false);
  }

  /**
   * Holds the bot open while charts are waiting; otherwise lets it exit, and ends the process after `idleMs`.
   * The child and its IPC channel are handles of this process (ref/unref).
   */
  private busy(run: Running, on: boolean): void {
    if (on) {
      if (run.idle) clearTimeout(run.idle);
      run.idle = null;
      run.child.ref();
      run.child.channel?.ref();
      return;
    }
    run.child.unref();
    run.child.channel?.unref();
    if (run.idle) clearTimeout(run.idle);
    run.idle = setTimeout(() => this.end(run, "the chart renderer was idle"), this.idleMs);
    run.idle.unref();
  }

  /** Stops using `run`: its waiting charts fail, and it is told to leave (killed when it hung or failed). */
  private end(run: Running, why: string): void {
    const idle = run.waiting.size === 0;
    this.fail(run, why);
    if (idle && run.child.connected) run.child.disconnect();
    else run.child.kill("SIGKILL");
  }

  /** Forgets `run` as the running process and fails the charts it had. */
  private fail(run: Running, why: string): void {
    if (this.running === run) this.running = null;
    if (run.idle) clearTimeout(run.idle);
    run.idle = null;
    for (const waiting of run.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new ChartRenderError(why));
    }
    run.waiting.clear();
  }
}

/** The bot's chart renderer. */
export const chartRenderer = new ChartRenderer();

/** Starts the bot's renderer ahead of a chart (while one runs, its idle time counts again from now). */
export function startChartRenderer(): void {
  chartRenderer.start();
}

/** One team's picture as PNG, drawn by the bot's renderer process; a ChartRenderError when it could not be. */
export function drawTeamChart(input: ChartInput): Promise<Buffer> {
  return chartRenderer.draw(input);
}
