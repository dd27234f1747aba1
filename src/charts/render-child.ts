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

// The subset the renderer before this one made (the same labels every morning): no subsetter for its characters.
// Otherwise the subsetter starts first, while ECharts and resvg load: both are ready when the first chart's text is known.
const fonts = new ChartFontCache(chartFontFile(), fontDir);
fonts.adopt(JSON.parse(subset) as FontSubset | null);
fonts.prepare();
const renderer = import("./team-chart.js");

/** What the kernel says this process held at most (getrusage's maxrss, /proc's VmHWM), in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

async function draw(id: number, input: ChartInput): Promise<RenderReply> {
  try {
    const { png } = await (await renderer).renderTeamChart(input, fonts);
    return { id, png, peakRss: peakRss(), subsetterPeakRss: fonts.subsetterPeakRss, subset: fonts.subset, subsetsMade: fonts.built };
  } catch (error) {
    return { id, error: String((error as Error)?.message ?? error).split("\n")[0]!, peakRss: peakRss(), subsetterPeakRss: fonts.subsetterPeakRss, subset: fonts.subset, subsetsMade: fonts.built };
  }
}

// Listening before the import above settles, so a chart sent at once is not lost; drawn in the order sent.
let queue: Promise<unknown> = Promise.resolve();
process.on("message", (message: RenderRequest) => {
  // With a callback, a reply to a bot that has just gone is dropped instead of thrown.
  queue = queue.then(async () => send(await draw(message.id, message.input), undefined, undefined, () => undefined));
});
// The bot is done with it (idle) or gone.
process.on("disconnect", () => process.exit(0));
