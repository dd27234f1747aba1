import { elapsedDays, isBusinessDay, localDay, localTimeOfDay, previousBusinessDay, zonedAt, zonedEndOfDay, type BusinessCalendar } from "./calendar.js";
import type { Playbook, Sla } from "./playbook.js";

const DAY_MS = 86_400_000;

/**
 * The latest stage-entry instant that is overdue at `now` under `sla`: an account is stalled exactly when
 * it entered at or before this instant (the inverse of `slaDeadline`). For business days: on a business
 * day, n business days back at the same time of day; on a day off, the end of the day n business days
 * before the last business day (every deadline falls on a business day).
 */
export function stalledCutoff(cal: BusinessCalendar, sla: Sla, now: Date): Date {
  if (sla.unit === "calendar") return new Date(now.getTime() - sla.days * DAY_MS);
  const today = localDay(now, cal.timezone);
  const workday = isBusinessDay(cal, today);
  let day = workday ? today : previousBusinessDay(cal, today);
  for (let i = 0; i < sla.days; i++) day = previousBusinessDay(cal, day);
  return workday ? zonedAt(day, localTimeOfDay(now, cal.timezone), cal.timezone) : zonedEndOfDay(day, cal.timezone);
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
