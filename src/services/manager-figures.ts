import {
  channelFigures, channelMilestones, forecast, monthsIn, openStages, repFigures, stageTimes, stepConversions, weekSpans,
  type ChannelFigure, type ForecastFigure, type MoveCount, type OwnerStage, type Period, type RepFigure, type Span, type StageTimeFigure, type StepConversion,
} from "../domain/figures.js";
import { stageOf } from "../domain/playbook.js";
import { stallRules } from "../domain/stalled.js";
import { countByStage, medianMoveTimeByActor, timeInStage } from "../store/funnel.js";
import { amountsByCurrency, movedAmounts, movesBySpan, overdueByOwner, pipelineByOwner, reachBySpan, spendIn, winsBySource } from "../store/figures.js";
import { listMembers } from "../store/members.js";
import type { ServiceContext } from "./context.js";

const DAY_MS = 86_400_000;
/** Weeks of the weekly conversion trend, by default. */
export const TREND_WEEKS = 8;

/** One stage's accounts now, with the number that entered it in the period and in the one before. */
export interface StageFigure {
  readonly stage: string;
  readonly count: number;
  readonly amount: number;
  readonly entered: number;
  readonly previousEntered: number;
}

/** Everything a manager's view shows for one team (or the whole funnel), computed from events. */
export interface ManagerFigures {
  readonly period: Period;
  readonly team: string | null;
  /** The open stages shown, in playbook order. */
  readonly stages: readonly StageFigure[];
  readonly conversion: readonly StepConversion[];
  /** The main path's conversion per week, oldest first. */
  readonly weekly: readonly { readonly span: Span; readonly steps: readonly StepConversion[] }[];
  readonly times: readonly StageTimeFigure[];
  readonly reps: readonly RepFigure[];
  readonly channels: readonly ChannelFigure[];
  readonly forecast: readonly ForecastFigure[];
}

/** What every team's figures are computed from, loaded once (the morning's digests share it). */
export interface FiguresData {
  readonly period: Period;
  readonly counts: Awaited<ReturnType<typeof countByStage>>;
  readonly moves: Awaited<ReturnType<typeof movesBySpan>>;
  readonly weekly: { readonly spans: readonly Span[]; readonly moves: Awaited<ReturnType<typeof movesBySpan>> };
  readonly times: Awaited<ReturnType<typeof timeInStage>>;
  readonly amounts: Awaited<ReturnType<typeof amountsByCurrency>>;
  readonly weekMoves: Awaited<ReturnType<typeof movedAmounts>>;
  /** The period's source channels, computed on first use and shared by every team's figures (they are no team's). */
  readonly channels: () => Promise<ChannelFigure[]>;
  /** Open accounts by owner and stage over every open stage, read on first use and shared by every team's reps. */
  readonly pipeline: () => Promise<OwnerStage[]>;
  /**
   * Stalled accounts by owner and stage, every team's stages under that team's calendar (a stage is led by one
   * team), read on first use and shared by every team's reps.
   */
  readonly overdue: () => Promise<{ ownerId: number; stage: string; count: number }[]>;
}

/** Loads the team-independent data for `period`, in parallel: a handful of grouped statements. */
export async function loadFiguresData(ctx: ServiceContext, period: Period, weeks = TREND_WEEKS): Promise<FiguresData> {
  const { playbook } = ctx;
  const now = ctx.clock();
  const forecastStages = playbook.stages.filter((s) => s.forecast).map((s) => s.code);
  const spans = weekSpans(weeks, now);
  const [counts, allMoves, times, amounts, weekMoves] = await Promise.all([
    countByStage(ctx.db, null),
    // The period, the one before and the trend's weeks in one statement: spans 0 and 1, then the weeks.
    movesBySpan(ctx.db, [period.previous, period.current, ...spans]),
    timeInStage(ctx.db, period.current.from, period.current.until),
    amountsByCurrency(ctx.db, forecastStages),
    movedAmounts(ctx.db, { from: new Date(now.getTime() - 7 * DAY_MS), until: now }, forecastStages),
  ]);
  const moves = allMoves.filter((m) => m.span < 2);
  const weekly = allMoves.filter((m) => m.span >= 2).map((m) => ({ ...m, span: m.span - 2 }));
  let channelFigures: Promise<ChannelFigure[]> | null = null;
  let pipeline: Promise<OwnerStage[]> | null = null;
  let overdue: ReturnType<FiguresData["overdue"]> | null = null;
  const rules = () => playbook.teams.flatMap((team) => stallRules(playbook, ctx.calendars.of(team.key), ledStages(playbook, team.key), now));
  return {
    period, counts, moves, weekly: { spans, moves: weekly }, times, amounts, weekMoves,
    channels: () => (channelFigures ??= channels(ctx, period)),
    pipeline: () => (pipeline ??= pipelineByOwner(ctx.db, openStages(playbook))),
    overdue: () => (overdue ??= overdueByOwner(ctx.db, rules(), now)),
  };
}

function byStep(moves: readonly (MoveCount & { span: number })[], span: number): MoveCount[] {
  const sums = new Map<string, MoveCount>();
  for (const m of moves) {
    if (m.span !== span) continue;
    const key = `${m.from}>${m.to}`;
    sums.set(key, { from: m.from, to: m.to, count: (sums.get(key)?.count ?? 0) + m.count });
  }
  return [...sums.values()];
}

/**
 * One team's figures (all teams' when `team` is null) from the shared data, plus what only this team
 * shows: its reps (members of the team), and for the team that owns the first stage, or the whole
 * funnel, the source channels.
 */
export async function figuresFor(ctx: ServiceContext, data: FiguresData, team: string | null, options: { channels?: boolean } = {}): Promise<ManagerFigures> {
  const { playbook } = ctx;
  const stages = openStages(playbook, team);
  const current = byStep(data.moves, 1);
  const previous = byStep(data.moves, 0);
  const entered = (list: readonly MoveCount[], code: string) => list.filter((m) => m.to === code).reduce((sum, m) => sum + m.count, 0);
  const stageFigures = stages.map((code) => {
    const count = data.counts.find((c) => c.stage === code);
    return { stage: code, count: count?.count ?? 0, amount: count?.amount ?? 0, entered: entered(current, code), previousEntered: entered(previous, code) };
  });
  const reps = team === null ? [] : await teamReps(ctx, team, data, stages);
  const wantChannels = options.channels ?? (team === null || stageOf(playbook, playbook.initialStage)?.teams.includes(team) === true);
  const forecasts = team === null || playbook.stages.some((s) => s.forecast && s.teams.includes(team));
  return {
    period: data.period,
    team,
    stages: stageFigures,
    conversion: stepConversions(playbook, stages, current, previous),
    weekly: data.weekly.spans.map((span, i) => ({ span, steps: stepConversions(playbook, stages, byStep(data.weekly.moves, i), []) })),
    times: stageTimes(playbook, stages, data.times),
    reps,
    channels: wantChannels ? await data.channels() : [],
    forecast: forecasts ? forecast(playbook, data.amounts, data.weekMoves) : [],
  };
}

/** The stages a team leads (listed first in their `teams`): its stalled list and its reps' overdue counts. */
function ledStages(playbook: ServiceContext["playbook"], team: string): string[] {
  return playbook.stages.filter((s) => s.teams[0] === team).map((s) => s.code);
}

/** A team's reps, from the shared data (moves by actor this period and the one before, pipeline, overdue) and three statements of their own. */
async function teamReps(ctx: ServiceContext, team: string, data: FiguresData, stages: readonly string[]): Promise<RepFigure[]> {
  const { period, moves } = data;
  const { playbook } = ctx;
  const members = await listMembers(ctx.db, team);
  if (members.length === 0) return [];
  const assigned = playbook.stages.find((s) => s.assignTo === team);
  const accept = assigned ? playbook.transitions.find((x) => x.from === assigned.code && x.verb === "accept") : undefined;
  const led = ledStages(playbook, team);
  const median = (span: Span) => (accept ? medianMoveTimeByActor(ctx.db, accept.from, accept.to, span.from, span.until) : Promise.resolve([]));
  const [pipeline, medians, previousMedians, overdue] = await Promise.all([
    data.pipeline().then((rows) => rows.filter((p) => stages.includes(p.stage))),
    median(period.current),
    median(period.previous),
    data.overdue(),
  ]);
  const overdueOf = new Map<number, number>();
  for (const o of overdue) if (led.includes(o.stage)) overdueOf.set(o.ownerId, (overdueOf.get(o.ownerId) ?? 0) + o.count);
  const hours = (list: Awaited<ReturnType<typeof median>>) => new Map(list.map((m) => [m.actorId, m.medianHours]));
  return repFigures(
    playbook, members.map((m) => ({ id: m.id, name: m.displayName })), pipeline, moves.filter((m) => m.span === 1), hours(medians), overdueOf,
    { moves: moves.filter((m) => m.span === 0), acceptHours: hours(previousMedians) },
  );
}

async function channels(ctx: ServiceContext, period: Period): Promise<ChannelFigure[]> {
  const { playbook } = ctx;
  const customer = playbook.stages.filter((s) => s.customer).map((s) => s.code);
  const [reach, wins, spend] = await Promise.all([
    reachBySpan(ctx.db, [period.current], channelMilestones(playbook)),
    winsBySource(ctx.db, period.current, customer),
    spendIn(ctx.db, monthsIn(period.current, ctx.calendar.timezone)),
  ]);
  return channelFigures(playbook, reach, wins, spend);
}
