/**
 * The chart renderer's process (started by ./renderer.ts with `fork`): ECharts, resvg and the font's subsets
 * live here, never in the bot, so the memory they take goes back to the system when this process exits.
 * It draws the charts it is sent one after the other and answers each with its PNG (or a one-line error),
 * its own peak RSS and the font subset it holds; it leaves when the bot disconnects (idle) or goes away.
 * Usage: fork(render-child, [fontDir, subset as JSON]) with an IPC channel (advanced serialization: PNG bytes as they are).
 */
import { ChartFontCache, chartFontFile, type FontSubset } from "./font.js";
import type { ChartInput } from "./team-chart.js";
import type { RenderReply, RenderRequest } from "./renderer.js";

const [fontDir, subset = "null"] = process.argv.slice(2);
if (!fontDir || !process.send) throw new Error("render-child: run by ./renderer.ts with an IPC channel and a font directory");
const send = process.send.bind(process);

// The subset the renderer before this one made (the same labels every morning): no subsetter for its characters,
// and ECharts and resvg load at once. Otherwise the subsetter starts first (harfbuzz and the font loaded while the
// chart's figures are read), cuts the font to the first chart's own text, and leaves; only then do ECharts and resvg
// load (~0.3 s later than beside it), so the subsetter's ~130 MB and theirs are never resident at the same moment.
const fonts = new ChartFontCache(chartFontFile(), fontDir);
fonts.adopt(JSON.parse(subset) as FontSubset | null);
fonts.prepare();
let renderer: Promise<typeof import("./team-chart.js")> | null = fonts.subset ? import("./team-chart.js") : null;

/** What the kernel says this process held at most (getrusage's maxrss, /proc's VmHWM), in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function draw(id: number, input: ChartInput): Promise<RenderReply> {
  try {
    if (!renderer) {
      // Every character of the text of the charts sent by then (a morning's teams come together: 25 ms for them to
      // arrive) and the SVG's line breaks (ECharts adds only ASCII, in every subset): a character a picture has
      // beyond them after all makes another subset when it is drawn.
      await new Promise((resolve) => setTimeout(resolve, 25));
      await fonts.fileFor(`${JSON.stringify([input, ...waiting])}\n`).catch(() => undefined);
    }
    renderer ??= import("./team-chart.js");
    const { png } = await (await renderer).renderTeamChart(input, fonts);
    return { id, png, peakRss: peakRss(), subsetterPeakRss: fonts.subsetterPeakRss, subset: fonts.subset, subsetsMade: fonts.built };
  } catch (error) {
    return { id, error: String((error as Error)?.message ?? error).split("\n")[0]!, peakRss: peakRss(), subsetterPeakRss: fonts.subsetterPeakRss, subset: fonts.subset, subsetsMade: fonts.built };
  }
}

// Listening before the import above settles, so a chart sent at once is not lost; drawn in the order sent.
let queue: Promise<unknown> = Promise.resolve();
/** The charts sent and not yet being drawn. */
const waiting = new Set<ChartInput>();
process.on("message", (message: RenderRequest) => {
  waiting.add(message.input);
  // With a callback, a reply to a bot that has just gone is dropped instead of thrown.
  queue = queue.then(async () => {
    waiting.delete(message.input);
    send(await draw(message.id, message.input), undefined, undefined, () => undefined);
  });
});
// The bot is done with it (idle) or gone.
process.on("disconnect", () => process.exit(0));
