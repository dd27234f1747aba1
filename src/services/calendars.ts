import type { Logger } from "pino";
import { joinList, t } from "../commands/i18n.js";
import type { OutgoingMessage } from "../commands/reply.js";
import { unpublishedYears, type BusinessCalendar, type TeamCalendars } from "../domain/calendar.js";
import { listMembers } from "../store/members.js";
import { enqueueOnce } from "../store/notices.js";
import { listTeams } from "../store/teams.js";
import type { ServiceContext } from "./context.js";

/** A team's stored calendar setting: a region code or a file (null: the default) and a timezone (null: the calendar's). */
export interface CalendarSetting {
  readonly calendar: string | null;
  readonly timezone: string | null;
}

/** Turns a setting into a calendar as of an instant; throws (a ConfigError) on a setting that no longer works. */
export type ResolveCalendar = (setting: CalendarSetting, now: Date) => BusinessCalendar;

/**
 * Each team's business calendar, from the teams' settings in the database. Lookups are synchronous (the
 * SLA and digest maths run per account); `refresh` re-reads the settings, at start and on every
 * scheduler pass, so a `funnelbot teams set … --calendar` from another process is picked up within minutes.
 */
export class TeamCalendarBook implements TeamCalendars {
  private teams = new Map<string, BusinessCalendar>();
  private settings = new Map<string, CalendarSetting>();
  private fallback: BusinessCalendar;
  /** Teams whose stored setting cannot be loaded any more (a file gone, say), with why; they count on the default. */
  readonly problems = new Map<string, string>();

  constructor(readonly resolve: ResolveCalendar, now: Date) {
    this.fallback = resolve({ calendar: null, timezone: null }, now);
  }

  of(teamKey: string | null | undefined): BusinessCalendar {
    return (teamKey ? this.teams.get(teamKey) : undefined) ?? this.fallback;
  }

  /** The calendar of teams without their own setting. */
  get default(): BusinessCalendar {
    return this.fallback;
  }

  /** The stored setting of a team (both null for a team on the default, or unknown). */
  settingOf(teamKey: string): CalendarSetting {
    return this.settings.get(teamKey) ?? { calendar: null, timezone: null };
  }

  /** Re-reads every team's setting; a setting that fails keeps the team on the default and is listed in `problems`. */
  async refresh(ctx: Pick<ServiceContext, "db">, now: Date, log?: Logger): Promise<void> {
    const rows = await listTeams(ctx.db);
    this.fallback = this.resolve({ calendar: null, timezone: null }, now);
    const teams = new Map<string, BusinessCalendar>();
    const settings = new Map<string, CalendarSetting>();
    for (const row of rows) {
      const setting = { calendar: row.calendar, timezone: row.timezone };
      settings.set(row.key, setting);
      if (setting.calendar === null && setting.timezone === null) continue;
      try {
        teams.set(row.key, this.resolve(setting, now));
        this.problems.delete(row.key);
      } catch (error) {
        const message = (error as Error).message;
        if (this.problems.get(row.key) !== message) log?.error({ team: row.key, calendar: setting.calendar, timezone: setting.timezone, reason: message }, "a team's calendar cannot be loaded; it counts on the default calendar");
        this.problems.set(row.key, message);
      }
    }
    this.teams = teams;
    this.settings = settings;
  }

  /** Every team key with its calendar, for checks and listings. */
  entries(): [string, BusinessCalendar][] {
    return [...this.settings.keys()].map((key) => [key, this.of(key)]);
  }
}

/** A calendar that lacks a published schedule for a year it needs now, and the teams that count on it. */
export interface ScheduleGap {
  readonly calendar: string;
  readonly year: number;
  readonly teams: readonly string[];
}

/** The years missing from the calendars the teams use (the default's when there is no team), current year first. */
export function scheduleGaps(book: TeamCalendarBook, now: Date): ScheduleGap[] {
  const found = new Map<string, { calendar: string; year: number; teams: string[] }>();
  // The default calendar counts through the teams on it; with no team yet, it is the one in use.
  const teams = book.entries();
  const users: [string | null, BusinessCalendar][] = teams.length > 0 ? teams : [[null, book.default]];
  for (const [team, cal] of users) {
    for (const year of unpublishedYears(cal, now)) {
      const key = `${cal.name}:${year}`;
      const gap = found.get(key) ?? { calendar: cal.name, year, teams: [] };
      if (team) gap.teams.push(team);
      found.set(key, gap);
    }
  }
  return [...found.values()].sort((a, b) => a.year - b.year || a.calendar.localeCompare(b.calendar));
}

/** The lines a team's digest footer carries for its calendar's missing years. */
export function gapNotes(cal: BusinessCalendar, now: Date, locale: "en" | "zh-CN"): string[] {
  return unpublishedYears(cal, now).map((year) => t(locale, "digest.calendar-missing", { calendar: cal.name, year }));
}

/**
 * Says so when a calendar in use has no published schedule for this year, or from 1 December for the next:
 * a warning in the log (once per `seen` set: the scheduler keeps one per process), and one chat message to the admins per calendar and year, once across restarts and replicas
 * (a notice row written with the messages). Returns the gaps found.
 */
export async function announceScheduleGaps(ctx: ServiceContext, book: TeamCalendarBook, now: Date, log: Logger, seen = new Set<string>()): Promise<ScheduleGap[]> {
  const gaps = scheduleGaps(book, now);
  for (const gap of gaps) {
    const key = `calendar-missing:${gap.calendar}:${gap.year}`;
    if (seen.has(key)) continue;
    if (!seen.has(`warned:${key}`)) log.warn({ calendar: gap.calendar, year: gap.year, teams: gap.teams }, `no published ${gap.year} holiday schedule for calendar ${gap.calendar}: counting weekends only for ${gap.year}; update chinese-days or supply a FUNNEL_CALENDAR file (funnelbot calendar check)`);
    seen.add(`warned:${key}`);
    const admins = (await listMembers(ctx.db)).filter((m) => m.role === "admin" && m.active);
    // Without an admin yet, nothing is recorded: the first admin added hears of it on a later pass.
    if (admins.length === 0) continue;
    const messages: OutgoingMessage[] = admins.map((admin) => {
      const text = t(admin.locale, "calendar.missing-admin", { calendar: gap.calendar, year: gap.year, teams: gap.teams.length ? joinList(admin.locale, [...gap.teams]) : "—" });
      return { to: { kind: "member", memberId: admin.id }, reply: { text, blocks: [{ kind: "text", text }], ephemeral: false } };
    });
    await enqueueOnce(ctx.db, key, messages, now);
    seen.add(key);
  }
  return gaps;
}
