import { readFile, writeFile } from "node:fs/promises";
import type { Locale } from "../../commands/reply.js";
import { chartBlock, teamChartFigures } from "../../services/funnel-chart.js";
import { importSpend } from "../../services/record-spend.js";
import { TREND_WEEKS } from "../../services/manager-figures.js";
import { UsageError, type Subcommand, type SubcommandInput } from "./subcommand.js";

// The manager's figures from the command line: a team's chart to a file, and marketing spend from a CSV.

function print(input: SubcommandInput, value: unknown, human: string): void {
  input.io.out(input.json ? JSON.stringify(value, null, 2) : human);
}

async function chart(input: SubcommandInput): Promise<number> {
  const ctx = await input.open();
  const team = typeof input.values.team === "string" ? input.values.team : null;
  if (team !== null && !ctx.playbook.teams.some((x) => x.key === team)) throw new UsageError(`--team must be one of ${ctx.playbook.teams.map((x) => x.key).join(", ")}`);
  const weeks = input.values.weeks === undefined ? TREND_WEEKS : Number(input.values.weeks);
  if (!Number.isInteger(weeks) || weeks < 4 || weeks > 26) throw new UsageError("--weeks is a whole number from 4 to 26");
  const locale: Locale = input.values.locale === "zh-CN" ? "zh-CN" : "en";
  const out = typeof input.values.out === "string" ? input.values.out : `funnel-${team ?? "all"}.png`;
  const image = await chartBlock(ctx, await teamChartFigures(ctx, team, weeks), locale);
  const bytes = Buffer.from(image.png, "base64");
  await writeFile(out, bytes).catch((error: { code?: string }) => {
    throw new UsageError(`Cannot write ${out}: ${error.code ?? "unwritable"}.`);
  });
  print(input, { file: out, bytes: bytes.length }, `Wrote ${out} (${Math.round(bytes.length / 1024)} kB): ${image.alt}`);
  return 0;
}

async function spendImport(input: SubcommandInput): Promise<number> {
  const [file] = input.positionals as [string];
  const csv = await readFile(file, "utf8").catch((error: { code?: string }) => {
    throw new UsageError(`Cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : (error.code ?? "unreadable")}.`);
  });
  const report = await importSpend(await input.open(), csv, { platform: "cli" });
  const bad = report.errors.map((e) => `  line ${e.line}: ${e.code} ${e.text}`);
  print(input, report, [`Recorded ${report.recorded} spend row(s).`, ...(bad.length ? [`${bad.length} row(s) refused:`, ...bad] : [])].join("\n"));
  return report.errors.length > 0 ? 1 : 0;
}

/** `chart` and `spend import`. */
export const FIGURES_COMMANDS: readonly Subcommand[] = [
  {
    path: ["chart"], args: "", positionals: [0, 0], run: chart,
    summary: "Write a team's chart (funnel, weekly conversion, time in stage vs SLA, channels) to a PNG file.",
    options: {
      team: { type: "string", value: "<team>", description: "the team (all teams when left out)" },
      weeks: { type: "string", value: "<4-26>", description: `weeks of trend (default ${TREND_WEEKS})` },
      locale: { type: "string", value: "en|zh-CN", description: "language of the labels" },
      out: { type: "string", value: "<file.png>", description: "where to write it (default funnel-<team>.png)" },
    },
  },
  {
    path: ["spend", "import"], args: "<spend.csv>", positionals: [1, 1], run: spendImport, options: {},
    summary: "Record marketing spend from a CSV of channel,month,amount[,currency] (渠道,月份,金额 headers work too). A later row for the same channel and month replaces the earlier one; bad rows are reported by line, exit code 1.",
  },
];
