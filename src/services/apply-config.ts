import { ConfigError } from "../config/env.js";
import { checkCalendarSetting } from "../config/calendar.js";
import type { LoadedConfig } from "../config/funnel-config.js";
import type { Actor } from "../domain/account.js";
import { deactivateMember, findMember, listMembers, upsertMember, type MemberInput } from "../store/members.js";
import { listTeams, upsertTeam, type TeamInput } from "../store/teams.js";
import type { ServiceContext } from "./context.js";
import { slackIdByEmail } from "./match-by-email.js";
import { describeRefusals, offboardMember, planHandOver } from "./offboard-member.js";

/** What applying a configuration did (or, dry, would do): one line per change; empty means nothing to do. */
export interface ConfigApplied {
  readonly dryRun: boolean;
  readonly changes: readonly string[];
  /** What could not be looked up (a Slack id by email) and was left as it is; not changes, and no failure. */
  readonly notes: readonly string[];
}

/** The operator applying a file: an admin, as on the command line; the permission table still keeps the last admin. */
const OPERATOR: Actor = { id: 0, handle: "config", displayName: "funnelbot.yaml", teamKey: "", role: "admin", locale: "en", away: false };

type Planned = { readonly line: string; readonly run: () => Promise<unknown> };

/**
 * Makes the database say what `funnelbot.yaml` says: teams (name, language, channels, calendar and timezone)
 * and members (name, team, role, language, email, platform ids) are created or updated; active members the file
 * no longer names are offboarded to their team's round robin and deactivated, never deleted. Everything is
 * checked before anything is written: a member of an unknown team, a platform id or email another member
 * holds, no admin left, a team left without its manager, or a leaver's account with nowhere to go is a
 * ConfigError naming the line or the member, and nothing changes. A second apply of the same file changes nothing.
 */
export async function applyConfig(ctx: ServiceContext, loaded: LoadedConfig, options: { readonly dryRun?: boolean } = {}): Promise<ConfigApplied> {
  const { config, at } = loaded;
  const problems: string[] = [];
  const plan: Planned[] = [];
  const teams = new Map((await listTeams(ctx.db)).map((t) => [t.key, t]));
  const members = await listMembers(ctx.db);

  config.teams.forEach((team, i) => {
    let calendar: { calendar: string | null; timezone: string | null };
    try {
      calendar = checkCalendarSetting({ calendar: team.calendar ?? null, timezone: team.timezone ?? null });
    } catch (error) {
      problems.push(`${at(["teams", i, team.calendar ? "calendar" : "timezone"])}: ${(error as Error).message}`);
      return;
    }
    const wanted: TeamInput = {
      key: team.key, name: team.name, locale: team.locale, ...calendar,
      slackChannel: team.slack?.channel ?? null, wecomChatId: team.wecom?.chat ?? null, wecomRobotKey: team.wecom?.robot ?? null,
    };
    const diff = differences(teams.get(team.key), wanted, ["name", "locale", "slackChannel", "wecomChatId", "wecomRobotKey", "calendar", "timezone"]);
    if (diff === null) plan.push({ line: `+ team ${team.key} (${team.name})`, run: () => upsertTeam(ctx.db, wanted) });
    else if (diff.length > 0) plan.push({ line: `~ team ${team.key}: ${diff.join(", ")}`, run: () => upsertTeam(ctx.db, wanted) });
  });

  const kept = new Set<number>();
  const notes: string[] = [];
  for (const [i, member] of config.members.entries()) {
    if (!teams.has(member.team) && !config.teams.some((t) => t.key === member.team)) {
      const known = [...new Set([...teams.keys(), ...config.teams.map((t) => t.key)])].sort();
      problems.push(`${at(["members", i, "team"])}: members.${i}.team: no team "${member.team}" (teams: ${known.join(", ") || "none yet"})`);
      continue;
    }
    // The same person may be known by handle, email or a platform id: the first match is them.
    const current = members.find((m) => m.handle === member.handle)
      ?? members.find((m) => member.email !== undefined && m.email === member.email)
      ?? members.find((m) => (member.slack !== undefined && m.slackUserId === member.slack) || (member.wecom !== undefined && m.wecomUserId === member.wecom));
    for (const [field, platform, id] of [["slack", "slack", member.slack], ["wecom", "wecom", member.wecom], ["email", "email", member.email]] as const) {
      if (id === undefined) continue;
      const holder = platform === "email" ? await findMember(ctx.db, { email: id }) : await findMember(ctx.db, { platform, externalId: id });
      const claimedInFile = holder && config.members.some((m) => m.handle === holder.handle);
      if (holder && holder.id !== current?.id && !claimedInFile) problems.push(`${at(["members", i, field])}: members.${i}.${field}: ${id} belongs to ${holder.handle}, who is not in the file`);
    }
    if (current) kept.add(current.id);
    // A platform id the file leaves out is kept as the member has it (an import, a link, a lookup found it).
    // Someone new to the database by email only (or with a new email) is looked up on Slack once; whoever is
    // not on Slack yet is recognised by their email the first time they use it, not asked about at every start.
    const lookUp = !member.slack && !current?.slackUserId && current?.email !== member.email;
    const slack = member.slack ?? (lookUp ? await slackIdOf(ctx, member.email, member.handle, notes) : undefined);
    const wanted: MemberInput = {
      handle: member.handle, displayName: member.name, teamKey: member.team, role: member.role, locale: member.locale,
      email: member.email ?? null, slackUserId: slack, wecomUserId: member.wecom, region: member.region ?? null, active: true,
    };
    const diff = differences(current, { ...wanted, handle: member.handle }, ["handle", "displayName", "teamKey", "role", "locale", "email", "slackUserId", "wecomUserId", "region", "active"]);
    // Matched under another handle: the file's handle is theirs from now on.
    const write = current && current.handle !== member.handle
      ? async () => { await ctx.db.prisma.member.update({ where: { id: current.id }, data: { handle: member.handle }, select: { id: true } }); return upsertMember(ctx.db, wanted); }
      : () => upsertMember(ctx.db, wanted);
    if (diff === null) plan.push({ line: `+ member ${member.handle} (${member.name}) ${member.team} ${member.role}`, run: write });
    else if (diff.length > 0) plan.push({ line: `~ member ${member.handle}: ${diff.join(", ")}`, run: write });
  }

  if (config.members.length > 0 && !config.members.some((m) => m.role === "admin")) {
    problems.push(`${at(["members"])}: members: nobody is an admin; funnelbot needs one`);
  }
  // A file without members manages none: it never empties the database of people.
  const leaving = config.members.length === 0 ? [] : members.filter((m) => m.active && !kept.has(m.id) && !config.members.some((c) => c.handle === m.handle));
  const leavingIds = leaving.map((m) => m.id);
  // Everyone leaving is deactivated before any hand-over, so no account passes from one leaver to another.
  if (leaving.length > 0) plan.push({ line: "", run: async () => { for (const id of leavingIds) await deactivateMember(ctx.db, id); } });
  for (const member of leaving) {
    if (member.role === "manager" && !config.members.some((m) => m.role === "manager" && m.team === member.teamKey)) {
      problems.push(`${loaded.file}: ${member.handle} is the last manager of ${member.teamKey}; name another manager of ${member.teamKey} in the file first`);
      continue;
    }
    const moves = await planHandOver(ctx, member, null, leavingIds);
    const refused = describeRefusals(moves);
    if (refused.length > 0) {
      problems.push(`${loaded.file}: ${member.handle} is no longer in the file, but their accounts have nowhere to go: ${refused.join("; ")}`);
      continue;
    }
    plan.push({
      line: `- member ${member.handle}: deactivated${moves.length ? `, ${moves.length} account(s) to the ${member.teamKey} round robin` : ""}`,
      run: async () => {
        const done = await offboardMember(ctx, { ...OPERATOR, teamKey: member.teamKey }, member.handle, "team", { meta: { platform: "cli" } });
        if (!done.ok) throw new ConfigError(`${loaded.file}: could not remove ${member.handle}: ${done.error.code}`);
      },
    });
  }

  if (problems.length > 0) throw new ConfigError(`${loaded.file}: nothing applied:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  if (!options.dryRun) {
    for (const step of plan) await step.run();
    if (plan.length > 0) await ctx.calendars.refresh(ctx, ctx.clock());
  }
  return { dryRun: options.dryRun === true, changes: plan.map((p) => p.line).filter(Boolean), notes };
}

/** {@link slackIdByEmail} for a member of the file, a refusal or failure noted rather than thrown. */
async function slackIdOf(ctx: ServiceContext, email: string | undefined, handle: string, notes: string[]): Promise<string | undefined> {
  if (!email) return undefined;
  const found = await slackIdByEmail(ctx, email, handle);
  if (found.note) notes.push(`member ${handle}: ${found.note}`);
  return found.id ?? undefined;
}

/** The fields that differ, as `field a → b`; null when there is nothing yet (a creation). */
function differences<T extends object>(current: T | undefined, wanted: Partial<T>, fields: readonly (keyof T & string)[]): string[] | null {
  if (!current) return null;
  const show = (v: unknown) => (v === null || v === undefined ? "—" : String(v));
  return fields.filter((f) => wanted[f] !== undefined && (current[f] ?? null) !== (wanted[f] ?? null)).map((f) => `${f} ${show(current[f])} → ${show(wanted[f])}`);
}
