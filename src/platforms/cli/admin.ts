import { open as openFile } from "node:fs/promises";
import { hostname } from "node:os";
import { readPlaybookFile } from "../../config/playbook.js";
import { ROLES, type Role } from "../../domain/account.js";
import { localDay } from "../../domain/calendar.js";
import { PlaybookSchema } from "../../domain/playbook.js";
import { loadPreset, presetNames } from "../../domain/presets/index.js";
import { sendDigest } from "../../jobs/digests.js";
import { buildDigest } from "../../services/digest.js";
import { IMPORT_FIELDS, ImportError, importLeads, type ImportField, type ImportReport } from "../../services/import-leads.js";
import { describeRefusals, offboardMember, type HandOver } from "../../services/offboard-member.js";
import { importMembers, ImportMembersError, type ImportMembersReport } from "../../services/import-members.js";
import { seedDemo } from "../../services/seed-demo.js";
import { slackIdByEmail } from "../../services/match-by-email.js";
import { applyConfig } from "../../services/apply-config.js";
import { readFunnelConfig } from "../../config/funnel-config.js";
import { ConfigError } from "../../config/env.js";
import { migrate } from "../../store/database.js";
import { digestRun } from "../../store/digest-runs.js";
import { countAdmins, findMember, linkIdentity, listMembers, updateMember, upsertMember } from "../../store/members.js";
import { mayChangeMember } from "../../domain/permissions.js";
import { findTeam, listTeams, upsertTeam } from "../../store/teams.js";
import { describeTeamCalendar, teamCalendarFields } from "./calendar.js";
import { renderForTerminal } from "./render-terminal.js";
import { UsageError, type CliOption, type Subcommand, type SubcommandInput } from "./subcommand.js";

// The admin subcommands: members, teams, digests, CSV import, demo data, migrations and playbook checks.

function print(input: SubcommandInput, value: unknown, human: string): void {
  input.io.out(input.json ? JSON.stringify(value, null, 2) : human);
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function role(value: string | boolean | undefined): Role | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (ROLES as readonly string[]).includes(value)) return value as Role;
  throw new UsageError(`--role must be one of ${ROLES.join(", ")}`);
}

function locale(value: string | boolean | undefined): "en" | "zh-CN" | undefined {
  if (value === undefined) return undefined;
  if (value === "en" || value === "zh-CN") return value;
  throw new UsageError("--locale must be en or zh-CN");
}

function yesNo(name: string, value: string | boolean | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && ["yes", "true", "1"].includes(value)) return true;
  if (typeof value === "string" && ["no", "false", "0"].includes(value)) return false;
  throw new UsageError(`--${name} must be yes or no`);
}

const HANDLE = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const TEAM_KEY = /^[a-z][a-z0-9-]{0,47}$/;

function handleOf(value: string | undefined): string {
  if (!value || !HANDLE.test(value)) throw new UsageError("A member handle is lower-case letters, digits, . _ - (e.g. alice)");
  return value;
}

async function teamKeyOf(input: SubcommandInput, value: string | boolean | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const keys = (await listTeams((await input.open()).db)).map((t) => t.key);
  if (typeof value !== "string" || !keys.includes(value)) throw new UsageError(`--team must be one of ${keys.join(", ")}`);
  return value;
}

const MEMBER_OPTIONS: Readonly<Record<string, CliOption>> = {
  name: { type: "string", value: "<name>", description: "display name" },
  team: { type: "string", value: "<team>", description: "team key (funnelbot teams list)" },
  role: { type: "string", value: "rep|manager|admin", description: "role in the team" },
  locale: { type: "string", value: "en|zh-CN", description: "language the bot speaks to them" },
  slack: { type: "string", value: "<U…>", description: "Slack user id" },
  wecom: { type: "string", value: "<UserID>", description: "WeCom UserID" },
  email: { type: "string", value: "<email>", description: "work email: one person on several platforms is one member" },
  region: { type: "string", value: "<region>", description: "region, for routing leads" },
};

/** Team options, shared by `teams add` and `teams set` (a module adding team settings adds them here). */
export const TEAM_OPTIONS: Record<string, CliOption> = {
  name: { type: "string", value: "<name>", description: "display name" },
  locale: { type: "string", value: "en|zh-CN", description: "language of the team's channel" },
  "slack-channel": { type: "string", value: "<C…>", description: "Slack channel id" },
  "wecom-chat": { type: "string", value: "<chatid>", description: "WeCom app group chat id" },
  "wecom-robot": { type: "string", value: "<key>", description: "WeCom group robot key" },
  calendar: { type: "string", value: "cn|us|us-ca|file.yaml|default", description: "the team's business calendar: a country or region code, or a calendar file" },
  tz: { type: "string", value: "<IANA zone>|default", description: "the team's timezone, e.g. America/Los_Angeles" },
};

function calendarFlags(values: SubcommandInput["values"]): { calendar?: string; tz?: string } {
  return { ...(typeof values.calendar === "string" ? { calendar: values.calendar } : {}), ...(typeof values.tz === "string" ? { tz: values.tz } : {}) };
}

function teamFields(values: SubcommandInput["values"]) {
  return {
    ...(values.locale !== undefined ? { locale: locale(values.locale) } : {}),
    ...(str(values["slack-channel"]) ? { slackChannel: str(values["slack-channel"]) } : {}),
    ...(str(values["wecom-chat"]) ? { wecomChatId: str(values["wecom-chat"]) } : {}),
    ...(str(values["wecom-robot"]) ? { wecomRobotKey: str(values["wecom-robot"]) } : {}),
  };
}

async function importCsv(input: SubcommandInput): Promise<number> {
  const [file] = input.positionals as [string];
  const mapping: Partial<Record<ImportField, string>> = {};
  for (const pair of str(input.values.map)?.split(",") ?? []) {
    const [field, column] = pair.split("=", 2).map((x) => x.trim());
    if (!field || !column || !(IMPORT_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(`--map takes field=column pairs; fields: ${IMPORT_FIELDS.join(", ")}`);
    }
    mapping[field as ImportField] = column;
  }
  // Opened before anything else, so a missing file is one line and never an unhandled stream error.
  const handle = await openFile(file).catch((error: { code?: string }) => {
    throw new UsageError(`Cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.code === "EACCES" ? "permission denied" : (error.code ?? "unreadable")}.`);
  });
  const dryRun = input.values["dry-run"] === true;
  let report: ImportReport;
  try {
    if (!(await handle.stat()).isFile()) throw new UsageError(`Cannot read ${file}: not a file.`);
    report = await importLeads(await input.open(), handle.createReadStream(), { mapping, dryRun, source: str(input.values.source) ?? null });
  } catch (error) {
    if (error instanceof ImportError) throw new UsageError(error.message);
    const code = (error as { code?: unknown }).code;
    if (code === "EISDIR" || code === "EACCES") throw new UsageError(`Cannot read ${file}.`);
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
  const head = `${dryRun ? "Dry run, nothing written: would create" : "Created"} ${report.created}, ${dryRun ? "update" : "updated"} ${report.updated}, unchanged ${report.unchanged}` +
    `${dryRun ? "" : `, handed to sales ${report.handedOff}`} (${report.rows} rows).`;
  const bad = report.errors.map((e) => `  line ${e.line}: ${Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  print(input, { dryRun, ...report }, [head, ...(bad.length ? [`${bad.length} row(s) refused:`, ...bad] : [])].join("\n"));
  return report.errors.length > 0 ? 1 : 0;
}

async function digest(input: SubcommandInput): Promise<number> {
  const ctx = await input.open();
  const keys = ctx.playbook.teams.map((x) => x.key);
  const teamKey = str(input.values.team);
  if (!teamKey) throw new UsageError(`digest needs --team <${keys.join("|")}>`);
  if (!keys.includes(teamKey)) throw new UsageError(`--team must be one of ${keys.join(", ")}`);
  if (input.values["dry-run"] === true) {
    const reply = await buildDigest(ctx, teamKey);
    input.io.out(input.json ? JSON.stringify({ team: teamKey, text: renderForTerminal(reply, { locale: "en" }) }, null, 2) : renderForTerminal(reply, { locale: "en" }));
    return 0;
  }
  // Claimed like the scheduler's, so neither this nor any replica sends the team a second digest today.
  const now = ctx.clock();
  const day = localDay(now, ctx.calendars.of(teamKey).timezone);
  const outcome = await sendDigest(ctx, { teamKey, day, now, workerId: `cli-${hostname()}-${process.pid}` });
  const run = await digestRun(ctx.db, teamKey, day);
  const human = outcome === "sent"
    ? `Queued the ${teamKey} digest for ${day}; the running bot delivers it.`
    : `The ${teamKey} digest for ${day} was already ${run?.sentAt ? `queued at ${run.sentAt.toISOString()}` : `claimed by ${run?.claimedBy ?? "another worker"}`}; nothing sent.`;
  print(input, { team: teamKey, day, sent: outcome === "sent", run }, human);
  return outcome === "sent" ? 0 : 1;
}

/** The shell is the operator's, an admin's: the permission table still keeps the last admin and each team's last manager. */
function operator(teamKey: string) {
  return { id: 0, handle: "operator", displayName: "operator", teamKey, role: "admin" as const, locale: "en" as const, away: false };
}

function moveLine(move: HandOver): string {
  const what = [move.owned ? "account" : null, move.tasks ? `${move.tasks} task(s)` : null].filter(Boolean).join(" + ");
  return `  #${move.accountId} ${move.company} (${what}) → ${move.to ?? "nobody"}`;
}

const REMOVE_REFUSALS: Partial<Record<string, (handle: string, d: Record<string, unknown>) => string>> = {
  "last-admin": (handle) => `${handle} is the last admin; make someone else an admin first. Nothing changed.`,
  "last-manager": (handle, d) => `${handle} is the last manager of ${String(d.team)}; make someone else its manager first. Nothing changed.`,
  "unknown-member": (_, d) => `No member ${String(d.name)}. funnelbot members list shows them.`,
  "inactive-member": (_, d) => `${String(d.name)} has left already; name an active member. Nothing changed.`,
};

async function removeMember(input: SubcommandInput): Promise<number> {
  const handle = handleOf(input.positionals[0]);
  const to = str(input.values.to);
  if (!to) throw new UsageError("members remove needs --to <member> (or --to team for the team's round robin)");
  const destination = to === "team" ? "team" as const : { handle: handleOf(to) };
  const ctx = await input.open();
  const current = await findMember(ctx.db, { handle });
  const dryRun = input.values["dry-run"] === true;
  const done = await offboardMember(ctx, operator(current?.teamKey ?? ""), handle, destination, { dryRun, meta: { platform: "cli" } });
  if (!done.ok) {
    const { code, details } = done.error;
    if (code === "no-successor" && Array.isArray(details.moves)) {
      throw new UsageError([`Cannot remove ${handle}: these would be left without an owner. Nothing changed.`, ...describeRefusals(details.moves as HandOver[]).map((l) => `  ${l}`)].join("\n"));
    }
    if (code === "no-successor") throw new UsageError(`Cannot hand ${handle}'s work to ${handle}. Nothing changed.`);
    throw new UsageError(REMOVE_REFUSALS[code]?.(handle, details) ?? `Not allowed: ${code}. Nothing changed.`);
  }
  const { moves } = done.value;
  const refused = describeRefusals(moves);
  const head = dryRun
    ? `Dry run, nothing written: ${handle} would be deactivated and ${moves.length} account(s) handed over.`
    : `✓ ${handle} deactivated (history kept); ${moves.filter((m) => !m.refused).length} account(s) handed over.`;
  print(input, done.value, [head, ...moves.filter((m) => !m.refused).map(moveLine), ...(refused.length ? [`${dryRun ? "Would refuse" : "Not moved"}:`, ...refused.map((l) => `  ${l}`)] : [])].join("\n"));
  return refused.length > 0 ? 1 : 0;
}

function emailOf(value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new UsageError("--email must be an email address");
  return value.toLowerCase();
}

async function linkMember(input: SubcommandInput): Promise<number> {
  const handle = handleOf(input.positionals[0]);
  const { db } = await input.open();
  const member = await findMember(db, { handle });
  if (!member) throw new UsageError(`No member ${handle}. funnelbot members list shows them.`);
  const links = ([["slack", str(input.values.slack)], ["wecom", str(input.values.wecom)]] as const).filter((l): l is readonly ["slack" | "wecom", string] => l[1] !== undefined);
  if (links.length === 0) throw new UsageError("members link needs --slack <U…> and/or --wecom <UserID>");
  // Checked first, so a refused link leaves every identity as it was.
  for (const [platform, id] of links) {
    const holder = await findMember(db, { platform, externalId: id });
    if (holder && holder.id !== member.id) throw new UsageError(`${platform} ${id} is ${holder.handle}'s: remove ${holder.handle} first (funnelbot members remove ${holder.handle} --to ${handle}). Nothing changed.`);
  }
  for (const [platform, id] of links) await linkIdentity(db, member.id, platform, id);
  const linked = (await findMember(db, { id: member.id }))!;
  print(input, linked, `✓ ${handle} is slack:${linked.slackUserId ?? "—"} wecom:${linked.wecomUserId ?? "—"}`);
  return 0;
}

async function importDirectory(input: SubcommandInput): Promise<number> {
  const platform = input.positionals[0];
  if (platform !== "slack" && platform !== "wecom") throw new UsageError(`funnelbot members import: “${platform}” is not a directory funnelbot reads (slack, wecom).`);
  const group = platform === "slack" ? str(input.values.channel) : str(input.values.department);
  if (!group) throw new UsageError(platform === "slack" ? "members import slack needs --channel <C0123>" : "members import wecom needs --department <id>");
  const team = await teamKeyOf(input, input.values.team);
  if (!team) throw new UsageError("members import needs --team <key>");
  const dryRun = input.values["dry-run"] === true;
  let report: ImportMembersReport;
  try {
    report = await importMembers(await input.open(), { platform, group, team, role: role(input.values.role) ?? "rep", dryRun });
  } catch (error) {
    if (!(error instanceof ImportMembersError)) throw error;
    input.io.err(error.message);
    return 1;
  }
  const lines = [
    ...report.added.map((p) => `+ ${p.handle.padEnd(16)} ${p.name.padEnd(20)} ${p.locale.padEnd(6)} ${p.id}${p.email ? ` ${p.email}` : ""}`),
    ...report.linked.map((p) => `~ ${p.handle}: linked to ${platform} ${p.id} (same email)`),
    `${dryRun ? "Would add" : "Added"} ${report.added.length} to ${team}, ${dryRun ? "would link" : "linked"} ${report.linked.length}; ${report.existing.length} already member(s), ${report.skipped} ${platform === "slack" ? "bot(s) or deactivated" : "disabled or departed"} skipped.`,
  ];
  print(input, report, lines.join("\n"));
  return 0;
}

/** The admin subcommands, in the order help lists them. */
export const ADMIN_COMMANDS: readonly Subcommand[] = [
  {
    path: ["members", "list"], args: "", summary: "List the members.", options: {}, positionals: [0, 0],
    async run(input) {
      const all = await listMembers((await input.open()).db);
      print(input, all, all.map((m) => `${m.handle.padEnd(12)} ${m.displayName.padEnd(16)} ${m.teamKey.padEnd(10)} ${m.role.padEnd(8)} ${m.locale}${m.away ? " (away)" : ""}${m.active ? "" : " (left)"}`).join("\n") || "No members yet.");
      return 0;
    },
  },
  {
    path: ["members", "add"], args: "<handle>", summary: "Add a member, or replace the one with this handle (--name and --team required).",
    options: MEMBER_OPTIONS, positionals: [1, 1],
    async run(input) {
      const handle = handleOf(input.positionals[0]);
      const { values } = input;
      if (typeof values.name !== "string" || typeof values.team !== "string") throw new UsageError("members add needs --name and --team");
      const teamKey = (await teamKeyOf(input, values.team))!;
      const ctx = await input.open();
      const email = emailOf(values.email) ?? null;
      // Added by email alone: Slack is asked who has it, so their Slack messages reach this member.
      const match = email && !str(values.slack) ? await slackIdByEmail(ctx, email, handle) : null;
      const member = await upsertMember(ctx.db, {
        handle, displayName: values.name, teamKey, role: role(values.role) ?? "rep", locale: locale(values.locale) ?? "en",
        slackUserId: str(values.slack) ?? match?.id ?? null, wecomUserId: str(values.wecom) ?? null, email, region: str(values.region) ?? null,
      });
      const found = match?.id ? ` (Slack ${match.id}, found by email)` : match?.note ? ` (${match.note})` : "";
      print(input, member, `✓ ${member.handle} (${member.displayName}) in ${member.teamKey} as ${member.role}${found}`);
      return 0;
    },
  },
  {
    path: ["members", "set"], args: "<handle>", summary: "Change a member: any of the options below.",
    options: { ...MEMBER_OPTIONS, away: { type: "string", value: "yes|no", description: "away: no new leads are routed to them" } }, positionals: [1, 1],
    async run(input) {
      const handle = handleOf(input.positionals[0]);
      const { values } = input;
      const away = yesNo("away", values.away);
      const teamKey = await teamKeyOf(input, values.team);
      const db = (await input.open()).db;
      const current = await findMember(db, { handle });
      if (current && values.role !== undefined) {
        const allowed = mayChangeMember(operator(current.teamKey), current, { teamKey: teamKey ?? current.teamKey, role: role(values.role) ?? current.role }, await countAdmins(db));
        if (!allowed.ok) throw new UsageError(allowed.error.code === "last-admin" ? `${handle} is the last admin; make someone else an admin first.` : `Not allowed: ${allowed.error.code}.`);
      }
      const updated = await updateMember(db, handle, {
        ...(away !== undefined ? { away } : {}), ...(values.role !== undefined ? { role: role(values.role) } : {}), ...(teamKey ? { teamKey } : {}),
        ...(values.locale !== undefined ? { locale: locale(values.locale) } : {}), ...(str(values.slack) ? { slackUserId: str(values.slack) } : {}),
        ...(str(values.wecom) ? { wecomUserId: str(values.wecom) } : {}), ...(str(values.name) ? { displayName: str(values.name) } : {}),
        ...(str(values.region) ? { region: str(values.region) } : {}), ...(emailOf(values.email) ? { email: emailOf(values.email) } : {}),
      });
      if (!updated) throw new UsageError(`No member ${handle}. funnelbot members list shows them.`);
      print(input, updated, `✓ ${updated.handle} updated${updated.away ? " (away)" : ""}`);
      return 0;
    },
  },
  {
    path: ["members", "link"], args: "<handle>", positionals: [1, 1],
    summary: "Add a platform identity to a member, so one person on Slack and WeCom is one member.",
    options: { slack: MEMBER_OPTIONS.slack!, wecom: MEMBER_OPTIONS.wecom! },
    run: linkMember,
  },
  {
    path: ["members", "remove"], args: "<handle>", positionals: [1, 1],
    summary: "Deactivate a member who left (history kept) and hand every open account, pending MQL and task of theirs to --to <member>, or --to team for their team's round robin. Refused, with nothing changed, if anything would be left without an owner.",
    options: {
      to: { type: "string", value: "<member>|team", description: "who takes over: a member, or team for the round robin" },
      "dry-run": { type: "boolean", description: "show the hand-over, change nothing" },
    },
    run: removeMember,
  },
  {
    path: ["members", "import"], args: "<slack|wecom>", positionals: [1, 1],
    summary: "Add the people of a Slack channel or a WeCom department (and the departments under it) to a team, with their names, and languages and emails where the platform gives them (bots, deactivated and departed accounts skipped; existing members kept as they are). Everything is read first and written at once, so a failure changes nothing.",
    options: {
      channel: { type: "string", value: "<C0123>", description: "the Slack channel whose members to import" },
      department: { type: "string", value: "<id>", description: "the WeCom department (部门ID) whose members to import" },
      team: { type: "string", value: "<key>", description: "the team they join" },
      role: { type: "string", value: "rep|manager|admin", description: "their role (default rep)" },
      "dry-run": { type: "boolean", description: "show who would be added, change nothing" },
    },
    run: importDirectory,
  },
  {
    path: ["teams", "list"], args: "", summary: "List the teams and where their messages go.", options: {}, positionals: [0, 0],
    async run(input) {
      const ctx = await input.open();
      const all = await listTeams(ctx.db);
      print(input, all, all.map((t) => `${t.key.padEnd(10)} ${t.name.padEnd(18)} ${t.locale} slack:${t.slackChannel ?? "—"} wecom:${t.wecomChatId ?? t.wecomRobotKey ? "set" : "—"} ${describeTeamCalendar(ctx, t)}`).join("\n") || "No teams yet.");
      return 0;
    },
  },
  {
    path: ["teams", "add"], args: "<key>", summary: "Add a team, or replace the one with this key (--name required).", options: TEAM_OPTIONS, positionals: [1, 1],
    async run(input) {
      const [key] = input.positionals as [string];
      if (!TEAM_KEY.test(key)) throw new UsageError("A team key is lower-case letters, digits and - (e.g. sales)");
      const name = str(input.values.name);
      if (!name) throw new UsageError("teams add needs --name");
      const ctx = await input.open();
      // Checked before anything is written: a bad calendar or zone leaves the team as it was.
      const calendar = teamCalendarFields(ctx, calendarFlags(input.values), await findTeam(ctx.db, key));
      const team = await upsertTeam(ctx.db, { key, name, ...teamFields(input.values), ...calendar });
      await ctx.calendars.refresh(ctx, ctx.clock());
      print(input, team, `✓ team ${team.key} (${team.name}) ${describeTeamCalendar(ctx, team)}`);
      return 0;
    },
  },
  {
    path: ["teams", "set"], args: "<key>", summary: "Change a team: any of the options below.", options: TEAM_OPTIONS, positionals: [1, 1],
    async run(input) {
      const [key] = input.positionals as [string];
      const ctx = await input.open();
      const existing = await findTeam(ctx.db, key);
      if (!existing) throw new UsageError(`No team ${key}. funnelbot teams list shows them.`);
      const calendar = teamCalendarFields(ctx, calendarFlags(input.values), existing);
      const team = await upsertTeam(ctx.db, { key, name: str(input.values.name) ?? existing.name, ...teamFields(input.values), ...calendar });
      await ctx.calendars.refresh(ctx, ctx.clock());
      print(input, team, `✓ team ${team.key} (${team.name}) updated, ${describeTeamCalendar(ctx, team)}`);
      return 0;
    },
  },
  {
    path: ["digest"], args: "", positionals: [0, 0],
    summary: "Print a team's daily digest (--dry-run), or queue it now, claimed as the scheduler claims it: one digest per team and day, never a second.",
    options: { team: { type: "string", value: "<team>", description: "the team whose digest it is" }, "dry-run": { type: "boolean", description: "print it, send nothing" } },
    run: digest,
  },
  {
    path: ["import"], args: "<leads.csv>", positionals: [1, 1],
    summary: "Create or update leads from a CSV file (same email or domain: updated, never duplicated). Bad rows are reported by line and skipped; the exit code is 1 when any row was refused.",
    options: {
      map: { type: "string", value: "field=column,…", description: `name the columns of: ${IMPORT_FIELDS.join(", ")}` },
      source: { type: "string", value: "<source>", description: "source of rows that name none" },
      "dry-run": { type: "boolean", description: "check the file, write nothing" },
    },
    run: importCsv,
  },
  {
    path: ["config", "apply"], args: "[funnelbot.yaml]", positionals: [0, 1],
    summary: "Make teams and members what funnelbot.yaml (or FUNNEL_CONFIG) says, printing each change; members no longer in it are offboarded to their team's round robin. A second apply prints \"no changes\".",
    options: { "dry-run": { type: "boolean", description: "print the changes, write nothing" } },
    async run(input) {
      const file = input.positionals[0] ?? process.env.FUNNEL_CONFIG;
      if (!file) throw new UsageError("config apply needs a file, or FUNNEL_CONFIG set to one");
      const dryRun = input.values["dry-run"] === true;
      try {
        const loaded = readFunnelConfig(file);
        const applied = await applyConfig(await input.open(), loaded, { dryRun });
        const head = applied.changes.length === 0 ? "no changes" : dryRun ? `Dry run, nothing written: ${applied.changes.length} change(s)` : `Applied ${applied.changes.length} change(s)`;
        print(input, applied, [head, ...applied.changes.map((c) => `  ${c}`), ...applied.notes.map((n) => `  ! ${n}`)].join("\n"));
        return 0;
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
    },
  },
  {
    path: ["seed-demo"], args: "", summary: "Demo teams, members and accounts (only into an empty database).", options: {}, positionals: [0, 0],
    async run(input) {
      const seeded = await seedDemo(await input.open());
      print(input, seeded, seeded.seeded ? `Seeded ${seeded.teams} teams, ${seeded.members} members, ${seeded.accounts} accounts.` : "The database already has members; nothing seeded.");
      return 0;
    },
  },
  {
    path: ["db", "migrate"], args: "", summary: "Apply pending migrations.", options: {}, positionals: [0, 0],
    async run(input) {
      const { applied } = await migrate((await input.open()).db, process.env.DATABASE_URL);
      print(input, { applied }, applied.length ? `Applied ${applied.join(", ")}` : "Database is up to date.");
      return 0;
    },
  },
  {
    path: ["playbook", "check"], args: "[preset | file.yaml]", summary: `Check a playbook: a preset (${presetNames.join(", ")}) or a YAML/JSON file.`, options: {}, positionals: [0, 1],
    async run(input) {
      const target = input.positionals[0] ?? "email-saas";
      const playbook = loadPreset(target) ?? readPlaybookFile(target);
      PlaybookSchema.parse(playbook);
      print(input, { ok: true, name: playbook.name, stages: playbook.stages.length, transitions: playbook.transitions.length },
        `✓ ${playbook.name}: ${playbook.stages.length} stages, ${playbook.transitions.length} transitions (presets: ${presetNames.join(", ")})`);
      return 0;
    },
  },
];
