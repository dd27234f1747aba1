import { checkCalendarSetting } from "../../config/calendar.js";
import { ConfigError } from "../../config/env.js";
import { monthDays, unpublishedYears, type BusinessCalendar } from "../../domain/calendar.js";
import { scheduleGaps, type CalendarSetting } from "../../services/calendars.js";
import type { ServiceContext } from "../../services/context.js";
import type { TeamRecord } from "../../store/teams.js";
import type { Subcommand } from "./subcommand.js";

/** What the CLI prints to; `out` for results, `err` for problems. */
interface Io {
  out(text: string): void;
  err(text: string): void;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** `funnelbot calendar check | show`, as subcommands of the CLI. */
export const CALENDAR_COMMANDS: readonly Subcommand[] = [
  {
    path: ["calendar", "check"], args: "", positionals: [0, 0], options: {},
    summary: "Check that every calendar in use has this year's (from 1 December also next year's) holiday schedule; exit code 1 naming the calendar and year when one is missing.",
    run: async (input) => check(await input.open(), input.io, input.json),
  },
  {
    path: ["calendar", "show"], args: "<YYYY-MM>", positionals: [1, 1],
    options: { team: { type: "string", value: "<team>", description: "the team whose calendar to show (default: the default calendar)" } },
    summary: "Print a month with its holidays and make-up workdays (调休) marked, to check against the official notice.",
    run: async (input) => show(await input.open(), input.positionals[0]!, typeof input.values.team === "string" ? input.values.team : null, input.io, input.json),
  },
];

function check(ctx: ServiceContext, io: Io, json: boolean): number {
  const now = ctx.clock();
  const gaps = scheduleGaps(ctx.calendars, now);
  const problems = [...ctx.calendars.problems].map(([team, reason]) => ({ team, reason }));
  const inUse = new Map<string, { calendar: BusinessCalendar; teams: string[] }>();
  for (const [team, cal] of [["(default)", ctx.calendars.default] as const, ...ctx.calendars.entries()]) {
    const key = `${cal.name} ${cal.timezone}`;
    const entry = inUse.get(key) ?? { calendar: cal, teams: [] };
    entry.teams.push(team);
    inUse.set(key, entry);
  }
  if (json) {
    io.out(JSON.stringify({
      ok: gaps.length === 0 && problems.length === 0,
      calendars: [...inUse.values()].map(({ calendar, teams }) => ({ calendar: calendar.name, timezone: calendar.timezone, teams, published: calendar.published })),
      missing: gaps, problems,
    }, null, 2));
  } else {
    const lines = [...inUse.values()].map(({ calendar, teams }) => {
      const missing = unpublishedYears(calendar, now);
      const state = missing.length ? `✗ no published ${missing.join(", ")} schedule` : calendar.published === "by-rule" ? "✓ computed by rule" : `✓ published through ${Math.max(...calendar.published)}`;
      return `${calendar.name.padEnd(12)} ${calendar.timezone.padEnd(22)} ${state} · teams: ${teams.join(", ")}`;
    });
    io.out(lines.join("\n"));
    for (const gap of gaps) {
      io.err(`Calendar ${gap.calendar} has no published ${gap.year} holiday schedule: ${gap.year} counts weekends only. Update the holiday data `
        + `(npm update chinese-days, then restart) or supply a calendar file (FUNNEL_CALENDAR) with ${gap.year}'s holidays, workdays and "years: [${gap.year}]".`);
    }
    for (const { team, reason } of problems) io.err(`Team ${team}: its calendar cannot be loaded (${reason}); it counts on the default calendar.`);
  }
  return gaps.length === 0 && problems.length === 0 ? 0 : 1;
}

function show(ctx: ServiceContext, month: string, team: string | null, io: Io, json: boolean): number {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new ConfigError(`calendar show needs a month written YYYY-MM, not "${month}"`);
  if (team !== null && !ctx.calendars.entries().some(([key]) => key === team)) throw new ConfigError(`No team "${team}"; \`funnelbot teams list\` shows them`);
  const cal = ctx.calendars.of(team);
  const days = monthDays(cal, month);
  const year = Number(month.slice(0, 4));
  const unpublished = cal.published !== "by-rule" && !cal.published.includes(year);
  if (json) {
    io.out(JSON.stringify({ calendar: cal.name, timezone: cal.timezone, team, month, published: !unpublished, days }, null, 2));
    return 0;
  }
  const lines = [`${month} · calendar ${cal.name} · ${cal.timezone}${team ? ` · team ${team}` : ""}`, "  Mon  Tue  Wed  Thu  Fri  Sat  Sun"];
  // Monday-first weeks; a day reads "1h" (holiday), "10w" (make-up workday) or plain, weekends in brackets.
  let row = "     ".repeat((days[0]!.weekday + 6) % 7);
  for (const d of days) {
    const n = String(Number(d.day.slice(8)));
    const cell = d.mark === "holiday" ? `${n}h` : d.mark === "workday" ? `${n}w` : d.weekday === 0 || d.weekday === 6 ? `(${n})` : n;
    row += cell.padStart(5);
    if (d.weekday === 0) {
      lines.push(row);
      row = "";
    }
  }
  if (row) lines.push(row);
  lines.push("h holiday · w make-up workday (调休) · (n) weekend");
  for (const d of days.filter((x) => x.mark)) {
    lines.push(`${d.day} ${WEEKDAYS[d.weekday]}  ${d.mark === "holiday" ? "holiday" : "workday"}  ${d.name ?? ""}`.trimEnd());
  }
  const business = days.filter((d) => d.business).length;
  lines.push(`${business} business days`);
  if (unpublished) lines.push(`⚠️ No published ${year} schedule for calendar ${cal.name}: weekends only (see funnelbot calendar check).`);
  io.out(lines.join("\n"));
  return 0;
}

/**
 * The calendar fields of `teams add / set` (`--calendar us`, `--tz America/Los_Angeles`; `default` clears
 * one), checked before anything is saved: an unknown region, a malformed file or a zone that does not exist
 * throws a ConfigError naming it, and the team keeps its previous setting.
 */
export function teamCalendarFields(ctx: ServiceContext, flags: { calendar?: string | true; tz?: string | true }, current: CalendarSetting | null): Partial<CalendarSetting> {
  if (flags.calendar === undefined && flags.tz === undefined) return {};
  if (flags.calendar === true || flags.tz === true) throw new ConfigError("--calendar and --tz need a value (a region code such as cn, us-ca or a .yaml file; an IANA zone such as Asia/Shanghai; or default)");
  const pick = (value: string | undefined, was: string | null) => (value === undefined ? was : value.trim().toLowerCase() === "default" ? null : value);
  const checked = checkCalendarSetting({ calendar: pick(flags.calendar, current?.calendar ?? null), timezone: pick(flags.tz, current?.timezone ?? null) });
  // Resolving it once proves that it builds (a file's base region, say) before it is stored.
  ctx.calendars.resolve(checked, ctx.clock());
  return checked;
}

/** How `teams list` shows a team's calendar and timezone. */
export function describeTeamCalendar(ctx: ServiceContext, team: Pick<TeamRecord, "key" | "calendar" | "timezone">): string {
  const cal = ctx.calendars.of(team.key);
  const problem = ctx.calendars.problems.get(team.key);
  return `calendar:${team.calendar ?? `${cal.name} (default)`} tz:${team.timezone ?? `${cal.timezone}${team.calendar ? "" : " (default)"}`}${problem ? " ⚠️ cannot load, on the default" : ""}`;
}
