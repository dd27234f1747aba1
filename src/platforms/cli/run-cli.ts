import { createReadStream } from "node:fs";
import { hostname } from "node:os";
import { ROLES, type Role } from "../../domain/account.js";
import { PlaybookSchema } from "../../domain/playbook.js";
import { presetNames, loadPreset } from "../../domain/presets/index.js";
import { ConfigError } from "../../config/env.js";
import { readPlaybookFile } from "../../config/playbook.js";
import { localDay } from "../../domain/calendar.js";
import { sendDigest } from "../../jobs/digests.js";
import { buildDigest } from "../../services/digest.js";
import { IMPORT_FIELDS, ImportError, importLeads, type ImportField, type ImportReport } from "../../services/import-leads.js";
import { runCommand } from "../../services/run-command.js";
import { seedDemo } from "../../services/seed-demo.js";
import type { ServiceContext } from "../../services/context.js";
import { migrate } from "../../store/database.js";
import { digestRun } from "../../store/digest-runs.js";
import { findMember, listMembers, updateMember, upsertMember } from "../../store/members.js";
import { findTeam, listTeams, upsertTeam } from "../../store/teams.js";
import { calendarCli, CALENDAR_USAGE, describeTeamCalendar, teamCalendarFields } from "./calendar.js";
import type { Reply } from "../../commands/reply.js";

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Opens the services' context lazily, so `help` and `playbook check` need no database. */
export type ContextOpener = () => Promise<ServiceContext>;

const USAGE = `Usage:
  funnelbot <chat command> --as <member> [--json]   e.g. funnelbot lead accept 42 --as alice
  funnelbot members [list | add <handle> --name <n> --team <t> --role rep|manager|admin [--locale en|zh-CN] [--slack U…] [--wecom id] [--region r]
                    | set <handle> [--away yes|no] [--role …] [--team …] [--locale …] [--slack U…] [--wecom id]]
  funnelbot teams [list | add <key> --name <n> [--locale en|zh-CN] [--slack-channel C…] [--wecom-chat id] [--wecom-robot key]
                  [--calendar cn|us|us-ca|file.yaml|default] [--tz Asia/Shanghai|default] | set <key> [the same flags]]
${CALENDAR_USAGE}
  funnelbot digest --team <key> [--dry-run] [--json]   print a team's daily digest; without --dry-run, queue it
                    now, claimed as the scheduler claims it: one digest per team and day, never a second
  funnelbot import <leads.csv> [--map company=Firma,email=Mail,…] [--source s] [--dry-run] [--json]
                    create or update leads from CSV (same email or domain: updated, never duplicated);
                    bad rows are reported by line and skipped; exit code 1 when any row was refused
  funnelbot seed-demo          demo teams, members and accounts (only into an empty database)
  funnelbot db migrate         apply pending migrations
  funnelbot playbook check [preset | file.yaml]`;

/** Splits `--name value` flags (and bare `--flag`) out of the arguments. */
function takeFlags(args: string[], names: readonly string[]): { rest: string[]; flags: Record<string, string | true> } {
  const rest: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    if (name !== null && names.includes(name)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) flags[name] = true;
      else {
        flags[name] = value;
        i++;
      }
    } else rest.push(arg);
  }
  return { rest, flags };
}

// The shell already split the words; quote any that hold spaces so the parser sees them as one again.
// `dm=Li Wei` becomes `dm="Li Wei"`: a quote inside a word opens a quoted run, as in chat.
function quoteArg(arg: string): string {
  if (!/[\s"“”]/.test(arg)) return arg;
  const value = arg.replace(/["“”]/g, "'");
  const pair = /^([^\s=＝:：]+[=＝:：])(.*)$/su.exec(value);
  return pair ? `${pair[1]}"${pair[2]}"` : `"${value}"`;
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function runCli(argv: readonly string[], open: ContextOpener, io: CliIo): Promise<number> {
  const { rest, flags } = takeFlags([...argv], ["as", "json"]);
  const json = flags.json !== undefined;
  const [first, second] = rest;
  const print = (value: unknown, human: string) => io.out(json ? JSON.stringify(value, null, 2) : human);
  try {
    if (!first || first === "--help" || first === "-h") {
      io.out(USAGE);
      return first ? 0 : 2;
    }
    if (first === "playbook" && second === "check") {
      const target = rest[2] ?? "email-saas";
      const playbook = loadPreset(target) ?? readPlaybookFile(target);
      PlaybookSchema.parse(playbook);
      print({ ok: true, name: playbook.name, stages: playbook.stages.length, transitions: playbook.transitions.length },
        `✓ ${playbook.name}: ${playbook.stages.length} stages, ${playbook.transitions.length} transitions (presets: ${presetNames.join(", ")})`);
      return 0;
    }
    const ctx = await open();
    if (first === "db" && second === "migrate") {
      const { applied } = await migrate(ctx.db, process.env.DATABASE_URL);
      print({ applied }, applied.length ? `Applied ${applied.join(", ")}` : "Database is up to date.");
      return 0;
    }
    if (first === "seed-demo") {
      const seeded = await seedDemo(ctx);
      print(seeded, seeded.seeded ? `Seeded ${seeded.teams} teams, ${seeded.members} members, ${seeded.accounts} accounts.` : "The database already has members; nothing seeded.");
      return 0;
    }
    if (first === "digest") return await digest(ctx, rest.slice(1), io, json);
    if (first === "import") return await importCsv(ctx, rest.slice(1), io, json);
    if (first === "members") return await members(ctx, rest.slice(1), io, json);
    if (first === "teams") return await teams(ctx, rest.slice(1), io, json);
    if (first === "calendar") return await calendarCli(ctx, rest.slice(1), io, json);

    if (typeof flags.as !== "string") {
      io.err("Say who is acting: --as <member handle>. `funnelbot members` lists them.");
      return 2;
    }
    const actor = await findMember(ctx.db, { handle: flags.as });
    const reply = await runCommand(ctx, actor, rest.map(quoteArg).join(" "), { platform: "cli" });
    printReply(reply, io, json);
    return reply.errorCode ? 1 : 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

function printReply(reply: Reply, io: CliIo, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(reply, null, 2));
    return;
  }
  const lines = [reply.text];
  for (const block of reply.blocks) {
    if (block.kind === "form") {
      lines.push(`${block.form.title}: ${block.form.command} ${block.form.fields.map((f) => (f.as === "positional" ? `<${f.name}>` : f.as === "flag" ? `[--${f.name} …]` : `${f.name}=…`)).join(" ")}`);
    }
    if (block.kind === "buttons") lines.push(block.buttons.map((b) => `[${b.label}: ${b.command}]`).join(" "));
  }
  (reply.errorCode ? io.err : io.out)(lines.join("\n"));
}

function role(value: string | true | undefined): Role | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (ROLES as readonly string[]).includes(value)) return value as Role;
  throw new ConfigError(`--role must be one of ${ROLES.join(", ")}`);
}

function locale(value: string | true | undefined): "en" | "zh-CN" | undefined {
  if (value === undefined) return undefined;
  if (value === "en" || value === "zh-CN") return value;
  throw new ConfigError("--locale must be en or zh-CN");
}

function str(value: string | true | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

async function members(ctx: ServiceContext, args: string[], io: CliIo, json: boolean): Promise<number> {
  const { rest, flags } = takeFlags(args, ["name", "team", "role", "locale", "slack", "wecom", "region", "away"]);
  const [verb = "list", handle] = rest;
  const teamKeys = (await listTeams(ctx.db)).map((t) => t.key);
  if (flags.team !== undefined && !teamKeys.includes(String(flags.team))) throw new ConfigError(`--team must be one of ${teamKeys.join(", ")}`);
  if (verb === "list") {
    const all = await listMembers(ctx.db);
    io.out(json ? JSON.stringify(all, null, 2) : all.map((m) => `${m.handle.padEnd(12)} ${m.displayName.padEnd(16)} ${m.teamKey.padEnd(10)} ${m.role.padEnd(8)} ${m.locale}${m.away ? " (away)" : ""}`).join("\n") || "No members yet.");
    return 0;
  }
  if (!handle || !/^[a-z0-9][a-z0-9._-]{0,39}$/.test(handle)) throw new ConfigError("A member handle is lower-case letters, digits, . _ - (e.g. alice)");
  if (verb === "add") {
    if (typeof flags.name !== "string" || typeof flags.team !== "string") throw new ConfigError("members add needs --name and --team");
    const member = await upsertMember(ctx.db, {
      handle, displayName: flags.name, teamKey: flags.team, role: role(flags.role) ?? "rep", locale: locale(flags.locale) ?? "en",
      slackUserId: str(flags.slack) ?? null, wecomUserId: str(flags.wecom) ?? null, region: str(flags.region) ?? null,
    });
    io.out(json ? JSON.stringify(member) : `✓ ${member.handle} (${member.displayName}) in ${member.teamKey} as ${member.role}`);
    return 0;
  }
  if (verb === "set") {
    const away = flags.away === undefined ? undefined : flags.away === true || ["yes", "true", "1"].includes(String(flags.away));
    const updated = await updateMember(ctx.db, handle, {
      ...(away !== undefined ? { away } : {}), ...(flags.role ? { role: role(flags.role) } : {}), ...(flags.team ? { teamKey: String(flags.team) } : {}),
      ...(flags.locale ? { locale: locale(flags.locale) } : {}), ...(str(flags.slack) ? { slackUserId: str(flags.slack) } : {}),
      ...(str(flags.wecom) ? { wecomUserId: str(flags.wecom) } : {}), ...(str(flags.name) ? { displayName: str(flags.name) } : {}),
    });
    if (!updated) throw new ConfigError(`No member ${handle}`);
    io.out(json ? JSON.stringify(updated) : `✓ ${updated.handle} updated${updated.away ? " (away)" : ""}`);
    return 0;
  }
  throw new ConfigError(USAGE);
}

async function teams(ctx: ServiceContext, args: string[], io: CliIo, json: boolean): Promise<number> {
  const { rest, flags } = takeFlags(args, ["name", "locale", "slack-channel", "wecom-chat", "wecom-robot", "calendar", "tz"]);
  const [verb = "list", key] = rest;
  if (verb === "list") {
    const all = await listTeams(ctx.db);
    io.out(json ? JSON.stringify(all, null, 2) : all.map((t) => `${t.key.padEnd(10)} ${t.name.padEnd(18)} ${t.locale} slack:${t.slackChannel ?? "—"} wecom:${t.wecomChatId ?? t.wecomRobotKey ? "set" : "—"} ${describeTeamCalendar(ctx, t)}`).join("\n") || "No teams yet.");
    return 0;
  }
  const existing = key ? await findTeam(ctx.db, key) : null;
  if ((verb === "add" && key && /^[a-z][a-z0-9-]{0,47}$/.test(key) && typeof flags.name === "string") || (verb === "set" && existing)) {
    // Checked before anything is written: a bad calendar or zone leaves the team as it was.
    const calendar = teamCalendarFields(ctx, flags, existing);
    const team = await upsertTeam(ctx.db, {
      key: key!, name: str(flags.name) ?? existing!.name, ...(flags.locale ? { locale: locale(flags.locale) } : {}), ...calendar,
      ...(str(flags["slack-channel"]) ? { slackChannel: str(flags["slack-channel"]) } : {}),
      ...(str(flags["wecom-chat"]) ? { wecomChatId: str(flags["wecom-chat"]) } : {}),
      ...(str(flags["wecom-robot"]) ? { wecomRobotKey: str(flags["wecom-robot"]) } : {}),
    });
    await ctx.calendars.refresh(ctx, ctx.clock());
    io.out(json ? JSON.stringify(team) : `✓ team ${team.key} (${team.name}) ${describeTeamCalendar(ctx, team)}`);
    return 0;
  }
  throw new ConfigError(USAGE);
}

async function digest(ctx: ServiceContext, args: string[], io: CliIo, json: boolean): Promise<number> {
  const { rest, flags } = takeFlags(args, ["team", "dry-run"]);
  const keys = ctx.playbook.teams.map((x) => x.key);
  if (rest.length > 0 || typeof flags.team !== "string") throw new ConfigError(`digest needs --team <${keys.join("|")}>`);
  const teamKey = flags.team;
  if (!keys.includes(teamKey)) throw new ConfigError(`--team must be one of ${keys.join(", ")}`);
  if (flags["dry-run"] !== undefined) {
    printReply(await buildDigest(ctx, teamKey), io, json);
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
  print(io, json, { team: teamKey, day, sent: outcome === "sent", run }, human);
  return outcome === "sent" ? 0 : 1;
}

function print(io: CliIo, json: boolean, value: unknown, human: string): void {
  io.out(json ? JSON.stringify(value, null, 2) : human);
}

async function importCsv(ctx: ServiceContext, args: string[], io: CliIo, json: boolean): Promise<number> {
  const { rest, flags } = takeFlags(args, ["map", "source", "dry-run"]);
  const [file] = rest;
  if (!file || rest.length > 1) throw new ConfigError("import needs one CSV file: funnelbot import leads.csv [--map company=Firma,…] [--dry-run]");
  const mapping: Partial<Record<ImportField, string>> = {};
  for (const pair of typeof flags.map === "string" ? flags.map.split(",") : flags.map ? [""] : []) {
    const [field, column] = pair.split("=", 2).map((x) => x.trim());
    if (!field || !column || !(IMPORT_FIELDS as readonly string[]).includes(field)) {
      throw new ConfigError(`--map takes field=column pairs; fields: ${IMPORT_FIELDS.join(", ")}`);
    }
    mapping[field as ImportField] = column;
  }
  const dryRun = flags["dry-run"] !== undefined;
  let report: ImportReport;
  try {
    report = await importLeads(ctx, createReadStream(file), { mapping, dryRun, source: str(flags.source) ?? null });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof ImportError) throw new ConfigError(error.message);
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") throw new ConfigError(`Cannot read ${file}.`);
    throw error;
  }
  const head = `${dryRun ? "Dry run, nothing written: would create" : "Created"} ${report.created}, ${dryRun ? "update" : "updated"} ${report.updated}, unchanged ${report.unchanged}` +
    `${dryRun ? "" : `, handed to sales ${report.handedOff}`} (${report.rows} rows).`;
  const bad = report.errors.map((e) => `  line ${e.line}: ${Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  print(io, json, { dryRun, ...report }, [head, ...(bad.length ? [`${bad.length} row(s) refused:`, ...bad] : [])].join("\n"));
  return report.errors.length > 0 ? 1 : 0;
}
