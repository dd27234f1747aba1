import { pick, t } from "../commands/i18n.js";
import type { Locale, Reply } from "../commands/reply.js";
import { countByStage, meanDaysInStage } from "../store/funnel.js";
import type { ServiceContext } from "./context.js";

/** `/funnel [team]`: accounts per stage, mean days in stage (from the events of the last 90 days), forecast. */
export async function funnelSummary(ctx: ServiceContext, team: string | null, locale: Locale): Promise<Reply> {
  const now = ctx.clock();
  const counts = new Map((await countByStage(ctx.db, team)).map((c) => [c.stage, c]));
  const means = await meanDaysInStage(ctx.db, new Date(now.getTime() - 90 * 86_400_000));
  const stages = ctx.playbook.stages.filter((s) => team === null || s.teams.includes(team));
  const rows = stages
    .filter((s) => counts.has(s.code))
    .map((s) => {
      const mean = means.get(s.code);
      const row = { stage: pick(s.name, locale), count: counts.get(s.code)!.count };
      return mean ? t(locale, "funnel.row", { ...row, avg: (mean.days / mean.moves).toFixed(1) }) : t(locale, "funnel.row-new", row);
    });
  const forecastStages = ctx.playbook.stages.filter((s) => s.forecast);
  const forecast = forecastStages.reduce((sum, s) => sum + (counts.get(s.code)?.amount ?? 0), 0);
  const total = stages.reduce((sum, s) => sum + (counts.get(s.code)?.count ?? 0), 0);
  const teamLabel = team ? ` (${pick(ctx.playbook.teams.find((x) => x.key === team)!.name, locale)})` : "";
  const title = t(locale, "funnel.title", { team: teamLabel, total });
  const forecastLine = t(locale, "funnel.forecast", { stages: forecastStages.map((s) => pick(s.name, locale)).join(" + "), amount: forecast.toLocaleString("en-US") });
  return {
    text: [title, ...rows, forecastLine].join("\n"),
    ephemeral: true,
    blocks: [{ kind: "heading", text: title }, { kind: "list", items: rows }, { kind: "text", text: forecastLine }],
  };
}
