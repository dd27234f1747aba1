import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import { z } from "zod";
import type { Playbook, Sla } from "./playbook.js";
import { parseDay } from "./values.js";

dayjs.extend(utc);
dayjs.extend(timezone);

const DAY_MS = 86_400_000;

/** Whether a name is an IANA timezone this runtime knows (`Asia/Shanghai`, `America/Los_Angeles`). */
export function isTimeZone(name: string): boolean {
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

/**
 * Which days a team works: weekdays, minus public holidays, plus make-up workdays (调休), in one timezone.
 * A plain value: the holiday data is loaded at the edge (config/) and passed in, so everything here stays pure.
 */
export interface BusinessCalendar {
  /** What people call it: a region code (`cn`, `us-ca`), or a calendar file's name. */
  readonly name: string;
  /** The IANA zone whose local dates decide what "today" and "a business day" are. */
  readonly timezone: string;
  /** Days off, weekend days inside a holiday period included. */
  readonly holidays: readonly string[];
  /** Weekend days that are working days (调休 make-up days). */
  readonly workdays: readonly string[];
  /** What each holiday or make-up day is, for `calendar show`. */
  readonly names?: Readonly<Record<string, string>>;
  /**
   * The years whose official schedule the data carries. "by-rule": any year is known (holidays computed by
   * rule, or a calendar of weekends only). A year outside a list counts weekends only, and is announced.
   */
  readonly published: "by-rule" | readonly number[];
}

/** Days an overlay (a calendar file) adds to a calendar: its own holidays and make-up days win over the base's. */
export interface CalendarOverlay {
  readonly name?: string;
  readonly timezone?: string;
  readonly holidays: readonly string[];
  readonly workdays: readonly string[];
  /** Years the overlay supplies the whole schedule of. */
  readonly years: readonly number[];
  readonly names?: Readonly<Record<string, string>>;
}

/** The calendar with the overlay's days on top: a day the overlay lists is what the overlay says it is. */
export function withOverlay(base: BusinessCalendar, overlay: CalendarOverlay): BusinessCalendar {
  const holidays = new Set(overlay.holidays);
  const workdays = new Set(overlay.workdays);
  const published = base.published === "by-rule" ? "by-rule" : [...new Set([...base.published, ...overlay.years])].sort((a, b) => a - b);
  return {
    name: overlay.name ?? base.name,
    timezone: overlay.timezone ?? base.timezone,
    holidays: [...base.holidays.filter((d) => !workdays.has(d)), ...overlay.holidays.filter((d) => !base.holidays.includes(d))].sort(),
    workdays: [...base.workdays.filter((d) => !holidays.has(d)), ...overlay.workdays.filter((d) => !base.workdays.includes(d))].sort(),
    names: { ...base.names, ...overlay.names },
    published,
  };
}

/** The same calendar counted in another timezone. */
export function inTimeZone(cal: BusinessCalendar, timezone: string): BusinessCalendar {
  return cal.timezone === timezone ? cal : { ...cal, timezone };
}

/**
 * The years a calendar should have published by `now` and has not: the current local year, and from
 * 1 December the next one too (mainland China's schedule is announced each November). Those years count
 * weekends only until their data is supplied.
 */
export function unpublishedYears(cal: BusinessCalendar, now: Date): number[] {
  if (cal.published === "by-rule") return [];
  const today = localDay(now, cal.timezone);
  const year = Number(today.slice(0, 4));
  const due = today.slice(5) >= "12-01" ? [year, year + 1] : [year];
  const published = cal.published;
  return due.filter((y) => !published.includes(y));
}

/** One day of a month as `calendar show` prints it. */
export interface CalendarDay {
  readonly day: string;
  /** 0 Sunday … 6 Saturday. */
  readonly weekday: number;
  readonly business: boolean;
  /** A weekday off (or a weekend day inside a holiday period), or a weekend day worked (调休). */
  readonly mark: "holiday" | "workday" | null;
  readonly name: string | null;
}

/** Every day of a month (`YYYY-MM`), with what the calendar makes of it. */
export function monthDays(cal: BusinessCalendar, month: string): CalendarDay[] {
  const first = dayNumber(`${month}-01`);
  const days: CalendarDay[] = [];
  const { holidays, workdays } = daySets(cal);
  for (let n = first; dayOf(n).slice(0, 7) === month; n += 1) {
    const day = dayOf(n);
    const mark = workdays.has(day) ? "workday" : holidays.has(day) ? "holiday" : null;
    days.push({ day, weekday: weekdayOf(n), business: isBusinessDay(cal, day), mark, name: mark ? cal.names?.[day] ?? null : null });
  }
  return days;
}

/** Each team's business calendar, and the company's default for teams without one of their own. */
export interface TeamCalendars {
  /** The calendar of a team; the default one for a team without its own setting, or for no team. */
  of(teamKey: string | null | undefined): BusinessCalendar;
}

/** The calendar an SLA of a stage is counted on: that of the team that owns the stage (listed first). */
export function stageCalendar(calendars: TeamCalendars, playbook: Playbook, stage: string): BusinessCalendar {
  return calendars.of(playbook.stages.find((s) => s.code === stage)?.teams[0] ?? null);
}

// Days are handled as whole numbers since 1970-01-01 so that day arithmetic never meets a timezone.
function dayNumber(day: string): number {
  if (parseDay(day) !== day) throw new RangeError(`not a day: ${JSON.stringify(day)}`);
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS;
}

function dayOf(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(n: number): number {
  return (((n + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 is Sunday
}

function isWeekend(n: number): boolean {
  const weekday = weekdayOf(n);
  return weekday === 0 || weekday === 6;
}

/** A calendar's days as sets, built once per calendar value: data packages carry hundreds of days. */
function daySets(cal: BusinessCalendar): { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> } {
  let sets = setCache.get(cal);
  if (!sets) {
    sets = { holidays: new Set(cal.holidays), workdays: new Set(cal.workdays) };
    setCache.set(cal, sets);
  }
  return sets;
}
const setCache = new WeakMap<BusinessCalendar, { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> }>();

function checkInstant(instant: Date): void {
  if (Number.isNaN(instant.getTime())) throw new RangeError("invalid Date");
}

/**
 * The local date and time of an instant in a timezone, from one cached Intl formatter per zone: dayjs'
 * timezone plugin builds its parts anew on every call, and digests format thousands of instants.
 */
function localParts(instant: Date, tz: string): { day: string; time: string } {
  checkInstant(instant);
  const t = instant.getTime();
  const ms = ((t % 1000) + 1000) % 1000;
  const second = t - ms;
  let zone = zones.get(tz);
  if (!zone) {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    zone = { format, second: NaN, day: "", time: "" };
    zones.set(tz, zone);
  }
  // Every offset is whole seconds: the commands of a burst, all in one second, format it once.
  if (zone.second !== second) {
    const part: Record<string, string> = {};
    for (const { type, value } of zone.format.formatToParts(instant)) part[type] = value;
    Object.assign(zone, { second, day: `${part.year!.padStart(4, "0")}-${part.month}-${part.day}`, time: `${part.hour}:${part.minute}:${part.second}` });
  }
  return { day: zone.day, time: `${zone.time}.${String(ms).padStart(3, "0")}` };
}
/** Per zone: its cached formatter, and the last second it formatted. */
const zones = new Map<string, { readonly format: Intl.DateTimeFormat; second: number; day: string; time: string }>();

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
  const { holidays, workdays } = daySets(cal);
  if (workdays.has(day)) return true;
  return !isWeekend(dayNumber(day)) && !holidays.has(day);
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
