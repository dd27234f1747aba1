import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import { z } from "zod";
import { cn2026 } from "./calendars/cn-2026.js";
import type { Sla } from "./playbook.js";
import { parseDay } from "./values.js";

dayjs.extend(utc);
dayjs.extend(timezone);

const DAY_MS = 86_400_000;

function isTimeZone(name: string): boolean {
  // Offsets such as "+08:00" pass Intl in recent engines but are not zones: they know nothing of DST.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A calendar day, `YYYY-MM-DD`, that exists. */
export const DaySchema = z.string().refine((day) => parseDay(day) === day, "days are real dates written YYYY-MM-DD");

/** Which days a team works: weekdays, minus public holidays, plus make-up workdays (调休), in one timezone. */
export const BusinessCalendarSchema = z
  .object({
    /** The IANA zone whose local dates decide what "today" and "a business day" are. */
    timezone: z.string().refine(isTimeZone, "timezone must be an IANA zone such as Asia/Shanghai").default("Asia/Shanghai"),
    /** Days off, weekend days inside a holiday period included. */
    holidays: z.array(DaySchema).default([]),
    /** Weekend days that are working days (调休 make-up days). */
    workdays: z.array(DaySchema).default([]),
  })
  .superRefine((cal, ctx) => {
    const holidays = new Set(cal.holidays);
    cal.workdays.forEach((day, i) => {
      if (holidays.has(day)) ctx.addIssue({ code: "custom", message: `${day} is both a holiday and a workday`, path: ["workdays", i] });
    });
  });
/** Which days a team works, validated, with defaults filled in. */
export type BusinessCalendar = z.infer<typeof BusinessCalendarSchema>;
/** A business calendar as written in a calendar file (before defaults). */
export type BusinessCalendarInput = z.input<typeof BusinessCalendarSchema>;

/**
 * The built-in calendar: mainland China (Asia/Shanghai) with the 2026 holidays. Outside 2026 only weekends
 * are days off until an admin points FUNNEL_CALENDAR at a file for the new year.
 */
export const DEFAULT_CALENDAR: BusinessCalendar = BusinessCalendarSchema.parse(cn2026);

// Days are handled as whole numbers since 1970-01-01 so that day arithmetic never meets a timezone.
function dayNumber(day: string): number {
  if (parseDay(day) !== day) throw new RangeError(`not a day: ${JSON.stringify(day)}`);
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS;
}

function dayOf(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(n: number): boolean {
  const weekday = (((n + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 is Sunday
  return weekday === 0 || weekday === 6;
}

function checkInstant(instant: Date): void {
  if (Number.isNaN(instant.getTime())) throw new RangeError("invalid Date");
}

/**
 * The local date and time of an instant in a timezone, from one cached Intl formatter per zone: dayjs'
 * timezone plugin builds its parts anew on every call, and digests format thousands of instants.
 */
function localParts(instant: Date, tz: string): { day: string; time: string } {
  checkInstant(instant);
  let format = formatters.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(tz, format);
  }
  const part: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(instant)) part[type] = value;
  const ms = String(((instant.getTime() % 1000) + 1000) % 1000).padStart(3, "0");
  return { day: `${part.year!.padStart(4, "0")}-${part.month}-${part.day}`, time: `${part.hour}:${part.minute}:${part.second}.${ms}` };
}
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day of an instant in a timezone, `YYYY-MM-DD`. */
export function localDay(instant: Date, tz: string): string {
  return localParts(instant, tz).day;
}

/** The instant a local day ends (the next day's midnight, less a millisecond). */
export function zonedEndOfDay(day: string, tz: string): Date {
  return new Date(zonedMidnight(dayOf(dayNumber(day) + 1), tz).getTime() - 1);
}

/** The local time of day of an instant, `HH:mm:ss.SSS`. */
export function localTimeOfDay(instant: Date, tz: string): string {
  return localParts(instant, tz).time;
}

/** The instant of a local day and time of day in a timezone. */
export function zonedAt(day: string, time: string, tz: string): Date {
  return zonedTime(day, time, tz);
}

/** The local date and time of an instant in a timezone, `YYYY-MM-DD HH:mm`, as people read it. */
export function localTime(instant: Date, tz: string): string {
  const { day, time } = localParts(instant, tz);
  return `${day} ${time.slice(0, 5)}`;
}

/** The instant a local day begins in a timezone (01:00 or later where DST skips midnight). */
export function zonedMidnight(day: string, tz: string): Date {
  return zonedTime(day, "00:00:00.000", tz);
}

// Wall-clock times that DST skips or repeats resolve as dayjs resolves them (a skipped time moves forward).
function zonedTime(day: string, time: string, tz: string): Date {
  dayNumber(day);
  return dayjs.tz(`${day}T${time}`, tz).toDate();
}

/** Whether people work on this day: a make-up workday, or a weekday that is not a holiday. */
export function isBusinessDay(cal: BusinessCalendar, day: string): boolean {
  if (cal.workdays.includes(day)) return true;
  return !isWeekend(dayNumber(day)) && !cal.holidays.includes(day);
}

/** The last business day strictly before `day`. */
export function previousBusinessDay(cal: BusinessCalendar, day: string): string {
  let n = dayNumber(day) - 1;
  while (!isBusinessDay(cal, dayOf(n))) n -= 1;
  return dayOf(n);
}

/** The first business day strictly after `day`. */
export function nextBusinessDay(cal: BusinessCalendar, day: string): string {
  let n = dayNumber(day) + 1;
  while (!isBusinessDay(cal, dayOf(n))) n += 1;
  return dayOf(n);
}

/**
 * The same local time of day on the n-th business day after the instant's local day. An instant on a day
 * off counts as the start (00:00) of the next business day, so Saturday plus one business day is Tuesday
 * 00:00: the account gets all of Monday, as if it had arrived then.
 */
export function addBusinessDays(cal: BusinessCalendar, instant: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`business days must be a whole number ≥ 0, not ${n}`);
  checkInstant(instant);
  const local = dayjs(instant).tz(cal.timezone);
  let day = local.format("YYYY-MM-DD");
  let time = local.format("HH:mm:ss.SSS");
  if (!isBusinessDay(cal, day)) {
    day = nextBusinessDay(cal, day);
    time = "00:00:00.000";
  }
  for (let i = 0; i < n; i += 1) day = nextBusinessDay(cal, day);
  return zonedTime(day, time, cal.timezone);
}

/** A calendar's exceptions as day numbers: holidays that fall on weekdays, workdays that fall on weekends. */
function exceptions(cal: BusinessCalendar): { holidays: number[]; workdays: number[] } {
  let found = exceptionCache.get(cal);
  if (!found) {
    found = {
      holidays: [...new Set(cal.holidays)].map(dayNumber).filter((n) => !isWeekend(n)),
      workdays: [...new Set(cal.workdays)].map(dayNumber).filter(isWeekend),
    };
    exceptionCache.set(cal, found);
  }
  return found;
}
const exceptionCache = new WeakMap<BusinessCalendar, { holidays: number[]; workdays: number[] }>();

/**
 * Whole days from `from` to `to` for "days in stage", 0 when `to` is not later.
 * Calendar: the difference of the two local dates in the calendar's timezone, so entering at 23:50 and
 * looking at 00:10 reads "1 day", as people count ("since yesterday"), not whole 24-hour periods.
 * Business: the business days strictly after `from`'s local day up to and including `to`'s local day.
 */
export function elapsedDays(cal: BusinessCalendar, from: Date, to: Date, unit: Sla["unit"]): number {
  const start = dayNumber(localDay(from, cal.timezone));
  const end = dayNumber(localDay(to, cal.timezone));
  if (end <= start) return 0;
  if (unit === "calendar") return end - start;
  // Weekdays in (start, end], then the listed exceptions inside that range: O(holidays), not O(days).
  const span = end - start;
  let count = Math.floor(span / 7) * 5;
  for (let n = start + Math.floor(span / 7) * 7 + 1; n <= end; n += 1) if (!isWeekend(n)) count += 1;
  const { holidays, workdays } = exceptions(cal);
  for (const n of holidays) if (n > start && n <= end) count -= 1;
  for (const n of workdays) if (n > start && n <= end) count += 1;
  return count;
}

/**
 * The instant an account that entered a stage at `enteredAt` becomes stalled: calendar SLAs are whole
 * 24-hour periods; business SLAs follow `addBusinessDays`.
 */
export function slaDeadline(cal: BusinessCalendar, enteredAt: Date, sla: Sla): Date {
  checkInstant(enteredAt);
  if (sla.unit === "calendar") return new Date(enteredAt.getTime() + sla.days * DAY_MS);
  return addBusinessDays(cal, enteredAt, sla.days);
}

/** Whether, at `now`, the account has reached its stage's SLA deadline; a stage without an SLA never is. */
export function isOverdue(cal: BusinessCalendar, enteredAt: Date, sla: Sla | null, now: Date): boolean {
  if (sla === null) return false;
  return now.getTime() >= slaDeadline(cal, enteredAt, sla).getTime();
}
