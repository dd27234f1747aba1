import { elapsedDays, slaDeadline, type BusinessCalendar } from "./calendar.js";
import type { Playbook, Sla } from "./playbook.js";

const DAY_MS = 86_400_000;

/**
 * The latest stage-entry instant that is overdue at `now` under `sla`: an account is stalled exactly when
 * it entered at or before this instant. Deadlines only grow with the entry time, so the inverse of
 * `slaDeadline` is found by bisection, to the millisecond, whatever holidays and make-up days lie between.
 */
export function stalledCutoff(cal: BusinessCalendar, sla: Sla, now: Date): Date {
  if (sla.unit === "calendar") return new Date(now.getTime() - sla.days * DAY_MS);
  // n business days never span more than n weeks plus the longest holiday run (Spring Festival: 9 days).
  let lo = now.getTime() - (sla.days * 7 + 30) * DAY_MS; // overdue for sure
  let hi = now.getTime(); // not overdue: the deadline of an entry at `now` is later than `now`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (slaDeadline(cal, new Date(mid), sla).getTime() <= now.getTime()) lo = mid;
    else hi = mid;
  }
  return new Date(lo);
}

/** What makes a stage's accounts stalled: in the stage since before one instant, or idle since before another. */
export interface StallRule {
  readonly stage: string;
  readonly enteredBefore: Date | null;
  readonly idleBefore: Date | null;
}

/** The stall rule of every stage that has one (an SLA, an idle limit, or both), for the stages given. */
export function stallRules(playbook: Playbook, cal: BusinessCalendar, stages: readonly string[], now: Date): StallRule[] {
  return playbook.stages
    .filter((s) => stages.includes(s.code) && (s.sla || s.idleDays))
    .map((s) => ({
      stage: s.code,
      enteredBefore: s.sla ? stalledCutoff(cal, s.sla, now) : null,
      idleBefore: s.idleDays ? new Date(now.getTime() - s.idleDays * DAY_MS) : null,
    }));
}

/** How far past its SLA an account is, for "worst first": days in stage over SLA days (idle-only stages: idle days over the limit). */
export function overdueRatio(cal: BusinessCalendar, sla: Sla | null, idleDays: number | null, enteredAt: Date, lastActivityAt: Date, now: Date): number {
  const bySla = sla ? elapsedDays(cal, enteredAt, now, sla.unit) / sla.days : 0;
  const byIdle = idleDays ? (now.getTime() - lastActivityAt.getTime()) / DAY_MS / idleDays : 0;
  return Math.max(bySla, byIdle);
}
