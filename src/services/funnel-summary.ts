import { pick, t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import type { Block, Locale, Reply } from "../commands/reply.js";
import { forwardMove, mainPath } from "../domain/funnel.js";
import { isClosed, stageOf, type Playbook, type Sla } from "../domain/playbook.js";
import { countByStage, movesSince, reachedBySource, timeInStage, type StageCount, type StageTime } from "../store/funnel.js";
import type { ServiceContext } from "./context.js";

const DAY_MS = 86_400_000;
/** The window of time-in-stage figures, in days. */
export const TIME_IN_STAGE_DAYS = 30;

/** The sections /funnel and the digest share: counts, conversion, time in stage against SLA, forecast. */
export interface FunnelFacts {
  readonly counts: Map<string, StageCount>;
  readonly conversion: string[];
  readonly times: string[];
  readonly forecast: string;
}

/** What the funnel sections are computed from, loaded once and shared by every team's digest. */
export interface FunnelData {
  readonly counts: readonly StageCount[];
  readonly moves: readonly { from: string; to: string; count: number }[];
  readonly times: Map<string, StageTime>;
}

/**
 * Loads counts, the moves of the last `days` days and the time in stage of the moves of the last 30 days,
 * in parallel. Thirty days, like conversion in /funnel and speed to lead: recent enough that a team sees
 * its own improvement, long enough for the slow onboarding stages to have moves.
 */
export async function loadFunnelData(ctx: ServiceContext, days: number): Promise<FunnelData> {
  const now = ctx.clock().getTime();
  const [counts, moves, times] = await Promise.all([
    countByStage(ctx.db, null), movesSince(ctx.db, new Date(now - days * DAY_MS)), timeInStage(ctx.db, new Date(now - TIME_IN_STAGE_DAYS * DAY_MS)),
  ]);
  return { counts, moves, times };
}

/** Funnel facts over `stages` (all of the playbook's when null), from data loaded once. */
export function funnelFacts(ctx: ServiceContext, data: FunnelData, stages: readonly string[] | null, locale: Locale): FunnelFacts {
  const { playbook } = ctx;
  const { counts, moves, times } = data;
  const wanted = (code: string) => stages === null || stages.includes(code);
  const name = (code: string) => stageName(playbook, code, locale);
  const conversion = playbook.stages.filter((s) => wanted(s.code)).flatMap((s) => {
    const next = forwardMove(playbook, s.code);
    const out = moves.filter((m) => m.from === s.code);
    const total = out.reduce((sum, m) => sum + m.count, 0);
    if (!next || total === 0) return [];
    const forward = out.filter((m) => m.to === next.to).reduce((sum, m) => sum + m.count, 0);
    return [t(locale, "funnel.conversion", { from: name(s.code), to: name(next.to), rate: Math.round((100 * forward) / total), forward, total })];
  });
  const timeLines = playbook.stages.filter((s) => wanted(s.code) && times.has(s.code)).map((s) => {
    const time = times.get(s.code)!;
    return t(locale, "funnel.time", { stage: name(s.code), mean: time.meanDays.toFixed(1), median: time.medianDays.toFixed(1), moves: time.moves, sla: slaText(s.sla, locale) });
  });
  const forecastStages = playbook.stages.filter((s) => s.forecast);
  const amount = forecastStages.reduce((sum, s) => sum + (counts.find((c) => c.stage === s.code)?.amount ?? 0), 0);
  const forecast = t(locale, "funnel.forecast", { stages: forecastStages.map((s) => name(s.code)).join(" + "), amount: amount.toLocaleString("en-US") });
  return { counts: new Map(counts.map((c) => [c.stage, c])), conversion, times: timeLines, forecast };
}

function slaText(sla: Sla | null, locale: Locale): string {
  return sla ? t(locale, "funnel.time-sla", { days: sla.days, unit: t(locale, sla.unit === "business" ? "unit.business" : "unit.calendar") }) : "";
}

/** `/funnel [team]`: accounts per stage, conversion over 30 days, time in stage against SLA, forecast, and per source channel. */
export async function funnelSummary(ctx: ServiceContext, team: string | null, locale: Locale): Promise<Reply> {
  const { playbook } = ctx;
  const stages = team === null ? null : playbook.stages.filter((s) => s.teams.includes(team)).map((s) => s.code);
  const facts = funnelFacts(ctx, await loadFunnelData(ctx, 30), stages, locale);
  const shown = playbook.stages.filter((s) => (stages === null || stages.includes(s.code)) && facts.counts.has(s.code));
  const rows = shown.map((s) => t(locale, "funnel.row", { stage: pick(s.name, locale), count: facts.counts.get(s.code)!.count }));
  const total = shown.filter((s) => !isClosed(playbook, s.code)).reduce((sum, s) => sum + facts.counts.get(s.code)!.count, 0);
  const teamLabel = team ? ` (${pick(playbook.teams.find((x) => x.key === team)!.name, locale)})` : "";
  const title = t(locale, "funnel.title", { team: teamLabel, total });
  const sources = team === null ? await sourceLines(ctx, playbook, locale) : [];
  const sections: [string, string[]][] = [
    [t(locale, "funnel.conversion-title", { days: 30 }), facts.conversion.length ? facts.conversion : [t(locale, "funnel.none")]],
    [t(locale, "funnel.time-title", { days: TIME_IN_STAGE_DAYS }), facts.times.length ? facts.times : [t(locale, "funnel.none")]],
    ...(sources.length ? [[t(locale, "funnel.source-title"), sources] as [string, string[]]] : []),
  ];
  const blocks: Block[] = [
    { kind: "heading", text: title },
    { kind: "list", items: rows },
    ...sections.flatMap(([heading, items]): Block[] => [{ kind: "text", text: `*${heading}*` }, { kind: "list", items }]),
    { kind: "text", text: facts.forecast },
  ];
  const text = [title, ...rows, ...sections.flatMap(([heading, items]) => [`${heading}:`, ...items.map((i) => `  ${i}`)]), facts.forecast].join("\n");
  return { text, ephemeral: true, blocks };
}

/** Leads → MQL → SQL → customer per source channel: how many accounts of each source ever reached each step. */
async function sourceLines(ctx: ServiceContext, playbook: Playbook, locale: Locale): Promise<string[]> {
  const path = [playbook.initialStage, ...mainPath(playbook).map((m) => m.to)];
  // The milestones people compare channels by: the hand-off, sales' acceptance of value, and the signature.
  const milestones = path.filter((code, i) => i === 0 || stageOf(playbook, code)?.assignTo || stageOf(playbook, code)?.forecast || stageOf(playbook, code)?.renewals);
  const reached = await reachedBySource(ctx.db);
  const sources = [...new Set(reached.map((r) => r.source))];
  return sources.map((source) => {
    const steps = milestones.map((code) => `${stageName(playbook, code, locale)} ${reached.find((r) => r.source === source && r.stage === code)?.accounts ?? 0}`);
    return t(locale, "funnel.source", { source: source ?? t(locale, "funnel.source-none"), steps: steps.join(" → ") });
  });
}
