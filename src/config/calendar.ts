import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type Holidays from "date-holidays";
import YAML, { LineCounter, isNode } from "yaml";
import { z } from "zod";
import { DaySchema, isTimeZone, withOverlay, type BusinessCalendar, type CalendarOverlay } from "../domain/calendar.js";
import { ConfigError } from "./env.js";

// Holiday data is loaded here, at the edge, into plain BusinessCalendar values that domain/ counts on.

/** Region codes: a country (`cn`, `us`, `sg`), optionally a state and a region of it (`us-ca`, `de-by`). */
const REGION_CODE = /^[a-z]{2}(-[a-z0-9]+){0,2}$/i;
/** The region of the built-in default calendar, and its zone. */
export const DEFAULT_REGION = "cn";
const DEFAULT_ZONE = "Asia/Shanghai";
/** A calendar of weekends only, for a file that lists every holiday itself. */
const NO_REGION = "none";
/** Rule-computed calendars carry this many years back from the current one (days in stage reach back that far). */
const YEARS_BACK = 5;

/** A calendar file (FUNNEL_CALENDAR, or a team's `--calendar file.yaml`): days on top of a region's data. */
export const CalendarFileSchema = z
  .object({
    /** The region whose holidays the file extends: `cn` (default), a date-holidays code, or `none`. */
    base: z.string().trim().toLowerCase().refine((v) => v === NO_REGION || REGION_CODE.test(v), "base must be a region code such as cn, us, us-ca, or none").optional(),
    /** The IANA zone the file's days are counted in; default the base region's. */
    timezone: z.string().refine(isTimeZone, "timezone must be an IANA zone such as Asia/Shanghai").optional(),
    /** Years whose whole official schedule the file supplies (a new year's 调休 list, say). */
    years: z.array(z.number().int().min(1970).max(2200)).default([]),
    /** Days off, weekend days inside a holiday period included. */
    holidays: z.array(DaySchema).default([]),
    /** Weekend days that are working days (调休 make-up days). */
    workdays: z.array(DaySchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const holidays = new Set(file.holidays);
    file.workdays.forEach((day, i) => {
      if (holidays.has(day)) ctx.addIssue({ code: "custom", message: `${day} is both a holiday and a workday`, path: ["workdays", i] });
    });
  });
/** A calendar file, validated. */
export type CalendarFile = z.infer<typeof CalendarFileSchema>;

/**
 * Reads and checks a calendar file (YAML or JSON). Every problem names the file, its line and the value,
 * e.g. `cn-2027.yaml:7: holidays.3: days are real dates written YYYY-MM-DD ("2027-02-30")`.
 */
export function readCalendarFile(file: string): CalendarFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`Cannot read calendar file ${file}`);
  }
  const lineCounter = new LineCounter();
  // JSON is YAML too, so one parser gives line numbers for both.
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ConfigError(`${file}:${lineCounter.linePos(error.pos[0]).line}: not valid YAML/JSON: ${error.message.split("\n")[0]}`);
  }
  const parsed = CalendarFileSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.slice(0, 20).map((issue) => {
    const keys = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    // An unknown key is found by its own name; any other problem by the value it is about.
    const unknown = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const node = doc.getIn(unknown === undefined ? keys : [...keys, unknown], true);
    const where = isNode(node) && node.range ? `:${lineCounter.linePos(node.range[0]).line}` : "";
    const value = unknown === undefined && isNode(node) && keys.length > 0 ? ` (${JSON.stringify(node.toJSON())})` : "";
    return `  ${file}${where}: ${keys.join(".") || "(top)"}: ${issue.message}${value}`;
  });
  throw new ConfigError(`${file} is not a valid calendar:\n${lines.join("\n")}`);
}

/**
 * date-holidays, loaded on first use: its data for every country keeps ~25 MB resident, and the default
 * calendar (mainland China, from chinese-days) never needs it.
 */
let holidaysClass: typeof Holidays | null = null;
function holidaysLibrary(): typeof Holidays {
  return (holidaysClass ??= createRequire(import.meta.url)("date-holidays") as typeof Holidays);
}

/** The date-holidays library's list of countries, states and regions, loaded once. */
let worldwide: Holidays | null = null;
function world(): Holidays {
  return (worldwide ??= new (holidaysLibrary())());
}

/** A region code checked against the data: `cn`, or a country (and state, region) date-holidays knows. */
export function checkRegion(code: string): string {
  const value = code.trim().toLowerCase();
  if (value === DEFAULT_REGION || value === NO_REGION) return value;
  const [country, state, region] = value.split("-");
  const known = REGION_CODE.test(value) && country && world().getCountries()?.[country.toUpperCase()] !== undefined
    && (!state || world().getStates(country.toUpperCase())?.[state.toUpperCase()] !== undefined)
    && (!region || world().getRegions(country.toUpperCase(), state!.toUpperCase())?.[region.toUpperCase()] !== undefined);
  if (!known) {
    throw new ConfigError(`Unknown calendar "${code}": use cn (mainland China, with 调休), a country or region code such as us, sg, us-ca, de-by, or a .yaml/.json calendar file`);
  }
  return value;
}

function holidaysOf(code: string): Holidays {
  const [country, state, region] = code.toUpperCase().split("-");
  const Library = holidaysLibrary();
  return state ? (region ? new Library(country!, state, region) : new Library(country!, state)) : new Library(country!);
}

/** The zone a region's calendar is counted in unless a team sets its own. */
export function regionZone(code: string): string {
  if (code === DEFAULT_REGION) return DEFAULT_ZONE;
  if (code === NO_REGION) return "UTC";
  return holidaysOf(code).getTimezones()?.[0] ?? "UTC";
}

/** The mainland-China data of the installed chinese-days: holidays, 调休 workdays and their names. */
let chinaData: { holidays: Record<string, string>; workdays: Record<string, string> } | null = null;
function china(): { holidays: Record<string, string>; workdays: Record<string, string> } {
  chinaData ??= createRequire(import.meta.url)("chinese-days/dist/chinese-days.json") as { holidays: Record<string, string>; workdays: Record<string, string> };
  return chinaData;
}

// chinese-days names a day "Spring Festival,春节,4": English, Chinese, and the length of the holiday.
function chinaName(value: string): string {
  const [en, zh] = value.split(",");
  return zh ? `${zh} ${en}` : value;
}

/**
 * Mainland China from chinese-days: the State Council's schedule with its make-up workdays. A year counts as
 * published when it carries National Day (1 October), which every yearly notice includes: a holiday that
 * runs over New Year puts a few January days of the next year in the data long before that year is announced.
 */
export function chinaCalendar(data: { holidays: Record<string, string>; workdays: Record<string, string> } = china()): BusinessCalendar {
  const years = Object.keys(data.holidays).filter((day) => day.endsWith("-10-01")).map((day) => Number(day.slice(0, 4)));
  const names: Record<string, string> = {};
  for (const [day, value] of [...Object.entries(data.holidays), ...Object.entries(data.workdays)]) names[day] = chinaName(value);
  return {
    name: DEFAULT_REGION, timezone: DEFAULT_ZONE, holidays: Object.keys(data.holidays).sort(), workdays: Object.keys(data.workdays).sort(),
    names, published: [...new Set(years)].sort((a, b) => a - b),
  };
}

/**
 * A region's calendar: mainland China from chinese-days, anything else computed by date-holidays' rules
 * (public holidays only) for `YEARS_BACK` years before `year` up to the year after it.
 */
export function regionCalendar(code: string, year: number): BusinessCalendar {
  const region = checkRegion(code);
  if (region === DEFAULT_REGION) return chinaCalendar();
  if (region === NO_REGION) return { name: NO_REGION, timezone: "UTC", holidays: [], workdays: [], published: "by-rule" };
  const source = holidaysOf(region);
  const holidays = new Set<string>();
  const names: Record<string, string> = {};
  for (let y = year - YEARS_BACK; y <= year + 1; y += 1) {
    for (const h of source.getHolidays(y) || []) {
      if (h.type !== "public") continue;
      // `date` is the holiday's local date; a holiday of several days runs from `start` to `end`.
      const first = Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`);
      const length = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < length; i += 1) {
        const day = new Date(first + i * 86_400_000).toISOString().slice(0, 10);
        holidays.add(day);
        names[day] ??= h.name;
      }
    }
  }
  return { name: region, timezone: regionZone(region), holidays: [...holidays].sort(), workdays: [], names, published: "by-rule" };
}

/** A team's stored setting: its calendar (a region code or a file; null, the default) and its timezone. */
export interface CalendarSetting {
  readonly calendar: string | null;
  readonly timezone: string | null;
}

/** Whether a calendar setting names a file rather than a region. */
export function isCalendarFile(value: string): boolean {
  return /\.(ya?ml|json)$/i.test(value.trim());
}

/**
 * Checks a setting as an admin types it and returns what to store: a known region code (lower case) or a
 * file's absolute path, and an existing timezone. Throws a ConfigError naming the bad value.
 */
export function checkCalendarSetting(setting: CalendarSetting): CalendarSetting {
  let calendar = setting.calendar?.trim() || null;
  if (calendar !== null) {
    if (isCalendarFile(calendar)) {
      calendar = path.resolve(calendar);
      readCalendarFile(calendar);
    } else calendar = checkRegion(calendar);
  }
  const timezone = setting.timezone?.trim() || null;
  if (timezone !== null && !isTimeZone(timezone)) throw new ConfigError(`Unknown timezone "${timezone}": use an IANA zone such as Asia/Shanghai or America/Los_Angeles`);
  return { calendar, timezone };
}

function overlayOf(file: CalendarFile, name: string | undefined): CalendarOverlay {
  return { holidays: file.holidays, workdays: file.workdays, years: file.years, ...(name ? { name } : {}), ...(file.timezone ? { timezone: file.timezone } : {}) };
}

/** Turns calendar settings into calendars, with FUNNEL_CALENDAR and TZ applied; throws a ConfigError on bad input. */
export interface CalendarResolver {
  /** The calendar of teams without their own setting (FUNNEL_CALENDAR and TZ, or mainland China). */
  defaultCalendar(now: Date): BusinessCalendar;
  /** The calendar a setting describes, as of `now` (rule-computed years follow the clock). */
  resolve(setting: CalendarSetting, now: Date): BusinessCalendar;
}

/**
 * The calendars of an environment. FUNNEL_CALENDAR (a file) is the default calendar and extends its base
 * region (`cn` unless it says otherwise) wherever that region is used, so a file carrying next year's
 * 调休 schedule serves every team on `cn`. TZ sets the default calendar's zone. Results are cached per
 * setting and year; a file is read once, when the resolver is made or the setting first seen.
 */
export function calendarResolver(env: { FUNNEL_CALENDAR?: string | undefined; TZ?: string | undefined }): CalendarResolver {
  const globalFile = env.FUNNEL_CALENDAR?.trim() ? readCalendarFile(path.resolve(env.FUNNEL_CALENDAR.trim())) : null;
  const globalBase = globalFile?.base ?? DEFAULT_REGION;
  const tz = env.TZ?.trim() || null;
  if (tz !== null && !isTimeZone(tz)) throw new ConfigError(`TZ: unknown timezone "${tz}"`);
  const files = new Map<string, CalendarFile>();
  const cache = new Map<string, BusinessCalendar>();

  const region = (code: string, year: number): BusinessCalendar => {
    const base = regionCalendar(code, year);
    return globalFile && globalBase === code ? withOverlay(base, overlayOf({ ...globalFile, timezone: undefined }, undefined)) : base;
  };
  const build = (setting: CalendarSetting, year: number): BusinessCalendar => {
    const calendar = setting.calendar;
    let cal: BusinessCalendar;
    if (calendar === null) {
      cal = region(globalBase, year);
      cal = { ...cal, timezone: tz ?? globalFile?.timezone ?? cal.timezone };
    } else if (isCalendarFile(calendar)) {
      let file = files.get(calendar);
      if (!file) files.set(calendar, (file = readCalendarFile(calendar)));
      cal = withOverlay(region(checkRegion(file.base ?? DEFAULT_REGION), year), overlayOf(file, `${file.base ?? DEFAULT_REGION}+${path.basename(calendar)}`));
    } else cal = region(checkRegion(calendar), year);
    return setting.timezone ? { ...cal, timezone: setting.timezone } : cal;
  };
  const resolve = (setting: CalendarSetting, now: Date): BusinessCalendar => {
    const year = now.getUTCFullYear();
    const key = `${setting.calendar ?? ""}\u0000${setting.timezone ?? ""}\u0000${year}`;
    let cal = cache.get(key);
    if (!cal) {
      if (setting.timezone !== null && !isTimeZone(setting.timezone)) throw new ConfigError(`Unknown timezone "${setting.timezone}"`);
      cal = build(setting, year);
      cache.set(key, cal);
    }
    return cal;
  };
  return { resolve, defaultCalendar: (now) => resolve({ calendar: null, timezone: null }, now) };
}
