import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** The family name inside the bundled font; charts ask for it by name. */
export const CHART_FONT_FAMILY = "Noto Sans Hans";

/**
 * The bundled CJK font (Noto Sans Hans, OFL, from the `@embedpdf/fonts-sc` package): an OTF that resvg loads,
 * so Chinese labels draw on a server with no system fonts. Its package exports only metadata, so the file
 * is found next to the package's entry point.
 */
export function chartFontFile(): string {
  return path.join(path.dirname(require.resolve("@embedpdf/fonts-sc")), "..", "fonts", "NotoSansHans-Regular.otf");
}

/** Printable ASCII, always in the subset: digits, amounts, dates and Latin labels change from chart to chart. */
const BASE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

/** Every character a piece of SVG draws: its text, with numeric character references read as characters. */
function charactersOf(svg: string): Set<string> {
  const text = svg.replace(/&#(x?)([0-9a-f]+);/gi, (_, hex: string, digits: string) => {
    const code = Number.parseInt(digits, hex ? 16 : 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "";
  });
  return new Set(text);
}

/**
 * The bundled font cut down to the characters charts have drawn so far, as a file for resvg (which takes
 * font files, not buffers). resvg given the whole 8 MB font parses it and its outlines on every render
 * (~100–400 ms here); given a subset of a few hundred glyphs, a few ms. The subset only grows: a chart
 * with a character not in it (a new team or channel name) adds that character and makes a new file once
 * (~150 ms, harfbuzz's subsetter in a child process, started ahead for the first chart); the morning's digests,
 * the same labels every day, reuse the first.
 * One per process, named by its content: the renderer's processes (./renderer.ts) keep theirs in the bot's
 * directory for charts, and each one starts from the subset the one before it left (`adopt`); otherwise the
 * system's temporary directory.
 */
export class ChartFontCache {
  private readonly chars = new Set(BASE);
  private file: string | null = null;
  private growing: Promise<string> = Promise.resolve("");

  constructor(
    private readonly source: string = chartFontFile(),
    private readonly dir: string = os.tmpdir(),
  ) {}

  /** How many subsets were made (for the benchmark and tests). */
  built = 0;
  /** The highest peak RSS of a subsetter process that made one (bytes; for the benchmark). */
  subsetterPeakRss = 0;

  /** A subsetter started ahead of the first chart (see `prepare`), waiting for its characters. */
  private ready: Subsetter | null = null;

  /** The subset made last, to start another process's cache from (see `adopt`); null before the first. */
  get subset(): FontSubset | null {
    return this.file ? { file: this.file, text: [...this.chars].sort().join("") } : null;
  }

  /** Starts from a subset made before (by another process), if its file is still there: no subsetter for its characters. */
  adopt(subset: FontSubset | null): void {
    if (!subset || this.file !== null || !existsSync(subset.file)) return;
    this.file = subset.file;
    for (const ch of subset.text) this.chars.add(ch);
  }

  /**
   * Starts the subsetter ahead of the first chart, while the chart is still being drawn as SVG: its process
   * start, harfbuzz and the font's 8 MB are then ready when the characters are known. A no-op once a subset exists.
   */
  prepare(): void {
    if (this.file === null && this.ready === null) this.ready = startSubsetter(this.source);
  }

  /** A font file holding every character `svg` draws. */
  fileFor(svg: string): Promise<string> {
    // Chained, so two charts at once never build two subsets of the same characters.
    const next = this.growing.then(() => this.ensure(charactersOf(svg)));
    this.growing = next.catch(() => "");
    return next;
  }

  private async ensure(wanted: Set<string>): Promise<string> {
    const missing = [...wanted].filter((ch) => !this.chars.has(ch));
    if (this.file && missing.length === 0) return this.file;
    const chars = new Set([...this.chars, ...missing]);
    const text = [...chars].sort().join("");
    const name = `funnelbot-chart-font-${process.pid}-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.otf`;
    const file = path.join(this.dir, name);
    // Written aside and renamed, so resvg never reads a half-written file.
    // One started ahead may have left unused (its chart failed a minute ago): then a new one.
    const subsetter = this.ready?.waiting() ? this.ready : startSubsetter(this.source);
    this.ready = null;
    this.subsetterPeakRss = Math.max(this.subsetterPeakRss, await subsetter.write(text, `${file}.part`));
    await rename(`${file}.part`, file);
    const previous = this.file;
    this.file = file;
    for (const ch of missing) this.chars.add(ch);
    this.built++;
    if (previous && previous !== file) await unlink(previous).catch(() => undefined);
    return file;
  }
}

/**
 * The subsetter's program, run by a short-lived `node`: harfbuzz's WebAssembly heap grows to ~120 MB over the
 * 8 MB font and a WebAssembly memory never shrinks, so in the bot's own process it stayed resident for good
 * (~70 MB of RSS) after the first chart; a child's is returned when it exits. (A worker thread kept it too.)
 * It loads harfbuzz and the font, then reads what to cut from its stdin, so it can be started early.
 */
const SUBSET_PROGRAM = `
const [module, source] = JSON.parse(process.argv[1]);
const { readFile, writeFile } = await import("node:fs/promises");
// Nobody asked within a minute (the chart failed before its PNG): leave.
const idle = setTimeout(() => process.exit(3), 60000);
const [{ default: subsetFont }, font] = await Promise.all([import(module), readFile(source)]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
clearTimeout(idle);
if (input) {
  const { text, out } = JSON.parse(input);
  await writeFile(out, await subsetFont(font, text, { targetFormat: "sfnt" }));
  // Its peak RSS (bytes), for the benchmark.
  process.stdout.write(String(process.resourceUsage().maxRSS * 1024));
}
`;

/** A subset of the font: its file and the characters it holds. */
export interface FontSubset {
  readonly file: string;
  readonly text: string;
}

/** A subsetter process, started: `write` gives it the characters and where to write their subset. */
interface Subsetter {
  /** Whether it is still running and given nothing yet. */
  waiting(): boolean;
  /** Resolves to the subsetter's peak RSS (bytes) once the subset is written. */
  write(text: string, out: string): Promise<number>;
}

/** Starts a child process that cuts `source` down to the characters it is then given. */
function startSubsetter(source: string): Subsetter {
  const module = pathToFileURL(require.resolve("subset-font")).href;
  // Plain node, none of this process's flags (a TypeScript loader, an inspector): the program is JavaScript.
  const child = spawn(process.execPath, ["--input-type=module", "--eval", SUBSET_PROGRAM, JSON.stringify([module, source])], { stdio: ["pipe", "pipe", "pipe"] });
  // A subsetter started ahead and never used must not keep the bot (or a test) alive; given work, it does.
  const hold = (on: boolean) => {
    // The pipes are sockets (ref/unref), which the stream types do not say.
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[]) {
      if (on) handle.ref();
      else handle.unref();
    }
  };
  hold(false);
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Number(stdout) || 0) : reject(new Error(`the font subsetter exited with ${code}: ${stderr.trim().split("\n")[0] ?? ""}`))));
  });
  exited.catch(() => undefined);
  // Writing to one that has just left fails in `exited`, not as an unhandled stream error.
  child.stdin.on("error", () => undefined);
  let given = false;
  return {
    waiting: () => !given && child.exitCode === null && child.signalCode === null,
    write: (text, out) => {
      given = true;
      hold(true);
      child.stdin.end(JSON.stringify({ text, out }));
      return exited;
    },
  };
}

/** The process's font cache for charts. */
export const chartFonts = new ChartFontCache();
