import { pick, t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import type { Block, Locale, Reply } from "../commands/reply.js";
import { renderError } from "../commands/render-reply.js";
import { ok } from "../domain/errors.js";
import { lastDays, parseWindow, stageTimes, stepRate, type MovedAmount, type StageAmount } from "../domain/figures.js";
import { amountsByCurrency, movedAmounts } from "../store/figures.js";
import { forwardMove } from "../domain/funnel.js";
import type { Sla } from "../domain/playbook.js";
import { countByStage, movesSince, timeInStage, type StageCount, type StageTime } from "../store/funnel.js";
import type { ServiceContext } from "./context.js";
import { figureSections } from "./figures-text.js";
import { figuresFor, loadFiguresData } from "./manager-figures.js";

const DAY_MS = 86_400_000;
/** The window of time-in-stage figures, in days. */
export const TIME_IN_STAGE_DAYS = 30;

/** The digest's funnel sections: counts, conversion and time in stage against SLA. */
export interface FunnelFacts {
  readonly counts: Map<string, StageCount>;
  readonly conversion: string[];
  readonly times: string[];
}

/** What the funnel sections are computed from, loaded once and shared by every team's digest. */
export interface FunnelData {
  readonly counts: readonly StageCount[];
  readonly moves: readonly { from: string; to: string; count: number }[];
  readonly times: Map<string, StageTime>;
  /** The forecast stages' amounts per currency, and what the last week's moves carried in and out of them. */
  readonly amounts: readonly StageAmount[];
  readonly weekMoves: readonly MovedAmount[];
}

/**
 * Loads counts, the moves of the last `days` days and the time in stage of the moves of the last 30 days,
 * in parallel. Thirty days, like conversion in /funnel and speed to lead: recent enough that a team sees
 * its own improvement, long enough for the slow onboarding stages to have moves.
 */
export async function loadFunnelData(ctx: ServiceContext, days: number): Promise<FunnelData> {
  const now = ctx.clock().getTime();
  const forecastStages = ctx.playbook.stages.filter((s) => s.forecast).map((s) => s.code);
  const [counts, moves, times, amounts, weekMoves] = await Promise.all([
    countByStage(ctx.db, null), movesSince(ctx.db, new Date(now - days * DAY_MS)), timeInStage(ctx.db, new Date(now - TIME_IN_STAGE_DAYS * DAY_MS)),
    amountsByCurrency(ctx.db, forecastStages), movedAmounts(ctx.db, { from: new Date(now - 7 * DAY_MS), until: new Date(now + 1) }, forecastStages),
  ]);
  return { counts, moves, times, amounts, weekMoves };
}

/**
 * Funnel facts over `stages` (all of the playbook's when null), from data loaded once: each stage's way forward
 * with its rate and time in stage against the SLA, computed by the same domain functions as /funnel's figures.
 */
export function funnelFacts(ctx: ServiceContext, data: FunnelData, stages: readonly string[] | null, locale: Locale): FunnelFacts {
  const { playbook } = ctx;
  const { counts, moves, times } = data;
  const wanted = (code: string) => stages === null || stages.includes(code);
  const name = (code: string) => stageName(playbook, code, locale);
  const conversion = playbook.stages.filter((s) => wanted(s.code)).flatMap((s) => {
    const next = forwardMove(playbook, s.code);
    const step = next ? stepRate(moves, s.code, next.to) : null;
    if (!next || !step || step.total === 0) return [];
    return [t(locale, "funnel.conversion", { from: name(s.code), to: name(next.to), rate: Math.round(step.rate ?? 0), forward: step.forward, total: step.total })];
  });
  const timeLines = stageTimes(playbook, stages, times).map((x) =>
    t(locale, "funnel.time", { stage: name(x.stage), mean: x.meanDays.toFixed(1), median: x.medianDays.toFixed(1), moves: x.moves, sla: slaText(x.sla, locale) }));
  return { counts: new Map(counts.map((c) => [c.stage, c])), conversion, times: timeLines };
}

function slaText(sla: Sla | null, locale: Locale): string {
  return sla ? t(locale, "funnel.time-sla", { days: sla.days, unit: t(locale, sla.unit === "business" ? "unit.business" : "unit.calendar") }) : "";
}

/**
 * `/funnel [team] [window]`: open accounts per stage, conversion between steps and time in stage against
 * SLA, the team's reps, the source channels (marketing, or the whole funnel) and the weighted forecast,
 * over the manager's window (30 days by default), each compared with the period before.
 */
export async function funnelSummary(ctx: ServiceContext, team: string | null, locale: Locale, window: string | null = null): Promise<Reply> {
  const { playbook } = ctx;
  const period = window === null ? ok(lastDays(30, ctx.clock())) : parseWindow(window, ctx.clock(), ctx.calendar.timezone);
  if (!period.ok) return renderError(period.error, locale, playbook);
  const figures = await figuresFor(ctx, await loadFiguresData(ctx, period.value), team);
  const total = figures.stages.reduce((sum, s) => sum + s.count, 0);
  const teamLabel = team ? ` (${pick(playbook.teams.find((x) => x.key === team)!.name, locale)})` : "";
  const title = t(locale, "funnel.title", { team: teamLabel, total });
  const sections = figureSections(playbook, figures, locale);
  const blocks: Block[] = [
    { kind: "heading", text: title },
    ...sections.flatMap(([heading, items]): Block[] => [{ kind: "text", text: `*${heading}*` }, { kind: "list", items }]),
    { kind: "text", text: t(locale, "figures.hint", { team: team ?? "" }).replace("  ", " ") },
  ];
  const text = [title, ...sections.flatMap(([heading, items]) => [`${heading}:`, ...items.map((i) => `  ${i}`)])].join("\n");
  return { text, ephemeral: true, blocks, data: figures };
}
