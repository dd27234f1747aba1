import { zonedMidnight } from "./calendar.js";
import { err, ok, type Result } from "./errors.js";
import { mainPath } from "./funnel.js";
import { isClosed, stageOf, type Playbook, type Sla } from "./playbook.js";

const DAY_MS = 86_400_000;
/** The longest window a manager may ask for, in days: two years of events is already a slow query. */
export const MAX_WINDOW_DAYS = 730;

/** A span of time, `from` included, `until` excluded. */
export interface Span {
  readonly from: Date;
  readonly until: Date;
}

/** The window a manager asked for and the one before it, of the same length, to compare with. */
export interface Period {
  /** As typed back to people: `30d`, `2026-Q3`. */
  readonly label: string;
  readonly current: Span;
  readonly previous: Span;
}

/** The last `days` days up to `now`, and the `days` before them. */
export function lastDays(days: number, now: Date): Period {
  const from = new Date(now.getTime() - days * DAY_MS);
  return { label: `${days}d`, current: { from, until: upToNow(now) }, previous: { from: new Date(from.getTime() - days * DAY_MS), until: from } };
}

/** The end of a span that runs up to now: spans exclude their end, and what happened this instant counts. */
function upToNow(now: Date): Date {
  return new Date(now.getTime() + 1);
}

/**
 * A window as a manager types it: `90d` (the last 90 days) or `2026-Q3` (that quarter in the business
 * timezone; the current one runs up to now). Refused: anything else, zero or more than two years of days,
 * and a quarter that has not started.
 */
export function parseWindow(text: string, now: Date, timezone: string): Result<Period> {
  const trimmed = text.trim();
  const days = /^(\d{1,4})\s*(?:d|天)$/i.exec(trimmed);
  if (days) {
    const n = Number(days[1]);
    return n >= 1 && n <= MAX_WINDOW_DAYS ? ok(lastDays(n, now)) : err("invalid-window", { text: trimmed });
  }
  const quarter = /^(\d{4})\s*-?\s*Q([1-4])$/i.exec(trimmed);
  if (!quarter) return err("invalid-window", { text: trimmed });
  const year = Number(quarter[1]);
  const q = Number(quarter[2]);
  const start = (y: number, n: number) => zonedMidnight(`${y + Math.floor((n - 1) / 4)}-${String((((n - 1) % 4) * 3) + 1).padStart(2, "0")}-01`, timezone);
  const from = start(year, q);
  if (from.getTime() > now.getTime()) return err("invalid-window", { text: trimmed, future: true });
  const end = start(year, q + 1);
  const until = end.getTime() > now.getTime() ? upToNow(now) : end;
  const length = until.getTime() - from.getTime();
  return ok({ label: `${year}-Q${q}`, current: { from, until }, previous: { from: new Date(from.getTime() - length), until: from } });
}

/** Whether a word reads as a window rather than a team (`30d`, `2026-Q3`, `90天`): it starts with a digit. */
export function looksLikeWindow(word: string): boolean {
  return /^\d/.test(word.trim());
}

/** The funnel's spine: the first stage and every stage its forward moves reach. */
export function pathStages(playbook: Playbook): string[] {
  return [playbook.initialStage, ...mainPath(playbook).map((m) => m.to)];
}

/** Stages with no way forward (see {@link isClosed}): counts of open accounts leave them out. */
export function closedStages(playbook: Playbook): Set<string> {
  return new Set(playbook.stages.filter((s) => isClosed(playbook, s.code)).map((s) => s.code));
}

/** The playbook's open stages (all but the closed ones), optionally only those `team` acts on. */
export function openStages(playbook: Playbook, team: string | null = null): string[] {
  const closed = closedStages(playbook);
  return playbook.stages.filter((s) => !closed.has(s.code) && (team === null || s.teams.includes(team))).map((s) => s.code);
}

/** Moves between two stages in a span, counted from the transition events. */
export interface MoveCount {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

/** A step of the funnel: of the accounts that left `from`, how many went forward to `to`. */
export interface StepConversion {
  readonly from: string;
  readonly to: string;
  readonly forward: number;
  readonly total: number;
  /** Percent, or null when nothing left the stage. */
  readonly rate: number | null;
  /** The same rate in the previous period. */
  readonly previousRate: number | null;
}

/** Of the moves out of `from`, how many went to `to`, and that as a percent (null when nothing left `from`). */
export function stepRate(moves: readonly MoveCount[], from: string, to: string): { forward: number; total: number; rate: number | null } {
  const out = moves.filter((m) => m.from === from);
  const total = out.reduce((sum, m) => sum + m.count, 0);
  const forward = out.filter((m) => m.to === to).reduce((sum, m) => sum + m.count, 0);
  return { forward, total, rate: total ? (100 * forward) / total : null };
}

/** Conversion of each step of the main path out of `stages` (all when null), with the previous period's rate. */
export function stepConversions(playbook: Playbook, stages: readonly string[] | null, moves: readonly MoveCount[], previous: readonly MoveCount[]): StepConversion[] {
  return mainPath(playbook)
    .filter((m) => stages === null || stages.includes(m.from))
    .map((m) => ({ from: m.from, to: m.to, ...stepRate(moves, m.from, m.to), previousRate: stepRate(previous, m.from, m.to).rate }));
}

/** Time in a stage, from the transitions that left it in a span. */
export interface StageTimeInput {
  readonly moves: number;
  readonly meanDays: number;
  readonly medianDays: number;
}

/** Time in a stage against its SLA. */
export interface StageTimeFigure extends StageTimeInput {
  readonly stage: string;
  readonly sla: Sla | null;
  /** Whether the median stay is longer than the SLA allows (business days read as calendar days, 5 to 7). */
  readonly overSla: boolean;
}

/** Time in each of `stages` (in playbook order) that had moves, against its SLA. */
export function stageTimes(playbook: Playbook, stages: readonly string[] | null, times: ReadonlyMap<string, StageTimeInput>): StageTimeFigure[] {
  return playbook.stages.filter((s) => (stages === null || stages.includes(s.code)) && times.has(s.code)).map((s) => {
    const time = times.get(s.code)!;
    const allowed = s.sla ? (s.sla.unit === "business" ? (s.sla.days * 7) / 5 : s.sla.days) : null;
    return { stage: s.code, sla: s.sla, ...time, overSla: allowed !== null && time.medianDays > allowed };
  });
}

/** Amount of accounts in a stage, in one currency. */
export interface StageAmount {
  readonly stage: string;
  readonly currency: string;
  readonly amount: number;
}

/** Amount of the accounts that moved between two stages (their amount today), in one currency. */
export interface MovedAmount {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly amount: number;
}

/** The forecast in one currency: unweighted and weighted by the playbook's probabilities, and the change over the last week. */
export interface ForecastFigure {
  readonly currency: string;
  readonly amount: number;
  readonly weighted: number;
  readonly amountChange: number;
  readonly weightedChange: number;
}

/**
 * The forecast per currency: the amount in the playbook's forecast stages, and weighted by each stage's
 * probability (unset: counted in full). The change since a week ago is what the week's moves brought in
 * and took out, each account at its amount today (an amount edited during the week counts at its new value).
 */
export function forecast(playbook: Playbook, amounts: readonly StageAmount[], weekMoves: readonly MovedAmount[]): ForecastFigure[] {
  const full = (code: string) => (stageOf(playbook, code)?.forecast ? 1 : 0);
  const weight = (code: string) => {
    const stage = stageOf(playbook, code);
    return stage?.forecast ? (stage.probability ?? 1) : 0;
  };
  const currencies = [...new Set([
    ...amounts.filter((a) => full(a.stage)).map((a) => a.currency),
    ...weekMoves.filter((m) => full(m.from) || full(m.to)).map((m) => m.currency),
  ])].sort();
  return currencies.map((currency) => {
    const here = amounts.filter((a) => a.currency === currency);
    const moved = weekMoves.filter((m) => m.currency === currency);
    return {
      currency,
      amount: here.reduce((sum, a) => sum + a.amount * full(a.stage), 0),
      weighted: Math.round(here.reduce((sum, a) => sum + a.amount * weight(a.stage), 0)),
      amountChange: moved.reduce((sum, m) => sum + m.amount * (full(m.to) - full(m.from)), 0),
      weightedChange: Math.round(moved.reduce((sum, m) => sum + m.amount * (weight(m.to) - weight(m.from)), 0)),
    };
  });
}

/** One member's accounts in one stage. */
export interface OwnerStage {
  readonly ownerId: number;
  readonly stage: string;
  readonly count: number;
  readonly amount: number;
}

/** A member's moves between two stages in the period. */
export interface ActorMove extends MoveCount {
  readonly actorId: number;
}

/** A rep's rates over one period: what is compared with the period before. */
export interface RepRates {
  /** Percent of the period's accepts that the rep's qualifies match, or null with no accepts. */
  readonly acceptToQualify: number | null;
  readonly winRate: number | null;
  readonly medianAcceptHours: number | null;
}

/**
 * A rep's row: open pipeline, accepted → qualified, win rate, speed to lead, overdue accounts, and the rates
 * of the period before. Pipeline and overdue are counts of today, with no earlier value to compare.
 */
export interface RepFigure extends RepRates {
  readonly memberId: number;
  readonly name: string;
  readonly open: readonly { readonly stage: string; readonly count: number; readonly amount: number }[];
  readonly openCount: number;
  readonly openAmount: number;
  readonly accepted: number;
  readonly qualified: number;
  readonly won: number;
  readonly lost: number;
  readonly overdue: number;
  readonly previous: RepRates;
}

/**
 * Per rep of a team, from the period's moves by actor: accepts (verb `accept`), qualifies (`qualify`), wins
 * (a move from a stage that is not a customer's into one that is) and losses (`lose`); open pipeline by
 * stage over the open stages; the median time to accept; and how many of their accounts are overdue. The
 * rates are also computed over `previous` (the period before, of the same length), for their change.
 */
export function repFigures(
  playbook: Playbook,
  members: readonly { readonly id: number; readonly name: string }[],
  pipeline: readonly OwnerStage[],
  moves: readonly ActorMove[],
  acceptHours: ReadonlyMap<number, number>,
  overdue: ReadonlyMap<number, number>,
  previous: { readonly moves: readonly ActorMove[]; readonly acceptHours: ReadonlyMap<number, number> } = { moves: [], acceptHours: new Map() },
): RepFigure[] {
  const verbOf = (from: string, to: string) => playbook.transitions.find((x) => x.from === from && x.to === to)?.verb;
  const customer = (code: string) => stageOf(playbook, code)?.customer === true;
  const open = new Set(openStages(playbook));
  const order = new Map(playbook.stages.map((s, i) => [s.code, i]));
  const tally = (id: number, list: readonly ActorMove[], hours: ReadonlyMap<number, number>) => {
    const mine = list.filter((x) => x.actorId === id);
    const count = (test: (x: ActorMove) => boolean) => mine.filter(test).reduce((sum, x) => sum + x.count, 0);
    const accepted = count((x) => verbOf(x.from, x.to) === "accept");
    const qualified = count((x) => verbOf(x.from, x.to) === "qualify");
    const won = count((x) => !customer(x.from) && customer(x.to));
    const lost = count((x) => verbOf(x.from, x.to) === "lose");
    const rates: RepRates = {
      acceptToQualify: accepted ? (100 * qualified) / accepted : null,
      winRate: won + lost ? (100 * won) / (won + lost) : null,
      medianAcceptHours: hours.get(id) ?? null,
    };
    return { accepted, qualified, won, lost, rates };
  };
  return members.map((m) => {
    const now = tally(m.id, moves, acceptHours);
    const stages = pipeline.filter((p) => p.ownerId === m.id && open.has(p.stage)).sort((a, b) => order.get(a.stage)! - order.get(b.stage)!);
    return {
      memberId: m.id, name: m.name,
      open: stages.map(({ stage, count: n, amount }) => ({ stage, count: n, amount })),
      openCount: stages.reduce((sum, p) => sum + p.count, 0),
      openAmount: stages.reduce((sum, p) => sum + p.amount, 0),
      accepted: now.accepted, qualified: now.qualified, won: now.won, lost: now.lost,
      ...now.rates,
      overdue: overdue.get(m.id) ?? 0,
      previous: tally(m.id, previous.moves, previous.acceptHours).rates,
    };
  });
}

/**
 * The milestones channels are compared by (seed 004: leads → MQL → SQL → customer): the first stage, the
 * first stage handed to a team (the MQL), the first forecast stage (the opportunity) and the first
 * customer stage, in path order.
 */
export function channelMilestones(playbook: Playbook): string[] {
  const path = pathStages(playbook);
  const first = (test: (code: string) => boolean) => path.find(test);
  const picks = [
    path[0],
    first((c) => stageOf(playbook, c)?.assignTo != null),
    first((c) => stageOf(playbook, c)?.forecast === true),
    first((c) => stageOf(playbook, c)?.customer === true),
  ];
  return path.filter((code) => picks.includes(code));
}

/** How many accounts of one source ever reached one stage. */
export interface SourceReach {
  readonly source: string | null;
  readonly stage: string;
  readonly accounts: number;
}

/** Customers won from one source in the period, and their amount to date (signed, plus renewals and expansions). */
export interface SourceWins {
  readonly source: string | null;
  readonly customers: number;
  readonly amount: number;
}

/** Marketing spend on one channel in one month. */
export interface Spend {
  readonly channel: string;
  readonly month: string;
  readonly amount: number;
  readonly currency: string;
}

/** Seed 004's figures for one source channel. */
export interface ChannelFigure {
  readonly source: string | null;
  /** Accounts that reached each milestone, with the percent of the step before. */
  readonly steps: readonly { readonly stage: string; readonly accounts: number; readonly rate: number | null }[];
  readonly customers: number;
  /** Spend in the period, or null when none was recorded for this channel. */
  readonly spend: number | null;
  readonly currency: string | null;
  /** Spend ÷ customers won in the period. */
  readonly cac: number | null;
  /** Amount to date per customer won in the period. */
  readonly ltv: number | null;
  /** CAC ÷ LTV: lower is better (seed 004, as its comments correct the article). */
  readonly cacToLtv: number | null;
}

/** The calendar months (`YYYY-MM`) whose first day, in `timezone`, falls in the span. */
export function monthsIn(span: Span, timezone: string): string[] {
  const out: string[] = [];
  const startYear = span.from.getUTCFullYear() - 1;
  for (let y = startYear; y <= span.until.getUTCFullYear() + 1; y++) {
    for (let m = 1; m <= 12; m++) {
      const month = `${y}-${String(m).padStart(2, "0")}`;
      const first = zonedMidnight(`${month}-01`, timezone).getTime();
      if (first >= span.from.getTime() && first < span.until.getTime()) out.push(month);
    }
  }
  return out;
}

/**
 * Per source channel: reach at each milestone of the accounts created in the period, customers won in
 * the period and their amount, spend in the period's months; CAC, LTV per customer and CAC/LTV.
 */
export function channelFigures(playbook: Playbook, reach: readonly SourceReach[], wins: readonly SourceWins[], spend: readonly Spend[]): ChannelFigure[] {
  const milestones = channelMilestones(playbook);
  const sources = [...new Set([...reach.map((r) => r.source), ...wins.map((w) => w.source), ...spend.map((s) => s.channel)])]
    .sort((a, b) => (a ?? "\uffff").localeCompare(b ?? "\uffff"));
  return sources.map((source) => {
    const steps = milestones.map((stage, i) => {
      const accounts = reach.find((r) => r.source === source && r.stage === stage)?.accounts ?? 0;
      const before = i === 0 ? null : (reach.find((r) => r.source === source && r.stage === milestones[i - 1])?.accounts ?? 0);
      return { stage, accounts, rate: before ? (100 * accounts) / before : null };
    });
    const won = wins.find((w) => w.source === source);
    const customers = won?.customers ?? 0;
    const paid = spend.filter((s) => s.channel === source);
    const total = paid.length ? paid.reduce((sum, s) => sum + s.amount, 0) : null;
    const cac = total !== null && customers ? total / customers : null;
    const ltv = customers ? won!.amount / customers : null;
    return { source, steps, customers, spend: total, currency: paid[0]?.currency ?? null, cac, ltv, cacToLtv: cac !== null && ltv ? cac / ltv : null };
  });
}

/** A month as typed in a spend entry: `2026-11`, a real month not after the current one. */
export function parseMonth(text: string, today: string): Result<string> {
  const m = /^(\d{4})-(\d{1,2})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return err("invalid-month", { text: text.trim() });
  const month = `${m[1]}-${m[2]!.padStart(2, "0")}`;
  return month > today.slice(0, 7) ? err("invalid-month", { text: month, future: true }) : ok(month);
}

/** The `weeks` week-long spans ending at `now`, oldest first: the buckets of the weekly trend. */
export function weekSpans(weeks: number, now: Date): Span[] {
  return Array.from({ length: weeks }, (_, i) => {
    const until = new Date(now.getTime() - (weeks - 1 - i) * 7 * DAY_MS);
    return { from: new Date(until.getTime() - 7 * DAY_MS), until };
  });
}
