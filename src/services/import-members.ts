import type { Role } from "../domain/account.js";
import { findMember, listMembers, writeMemberImport, type MemberInput, type MemberRecord } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import type { ServiceContext } from "./context.js";
import { DirectoryError, type DirectoryPerson } from "./directory.js";

/** What `funnelbot members import slack --channel C0123 …` or `members import wecom --department 3 …` asks. */
export interface ImportMembersInput {
  readonly platform: "slack" | "wecom";
  /** A Slack channel id, or a WeCom department id. */
  readonly group: string;
  readonly team: string;
  readonly role: Role;
  readonly dryRun: boolean;
}

/** What an import did (or, dry, would do), person by person. */
export interface ImportMembersReport {
  readonly added: readonly { readonly handle: string; readonly name: string; readonly id: string; readonly locale: string; readonly email: string | null }[];
  /** Existing members (matched by email) given this platform's identity. */
  readonly linked: readonly { readonly handle: string; readonly id: string }[];
  /** Already members under this identity: left as they are. */
  readonly existing: readonly { readonly handle: string; readonly id: string }[];
  /** Bots and deactivated accounts. */
  readonly skipped: number;
  readonly dryRun: boolean;
}

/** An import refused before anything was written: a one-line reason. */
export class ImportMembersError extends Error {}

/**
 * Brings a channel's (or department's) people in as members of one team: everyone is read from the
 * platform first (every page, 429s waited out), then matched (this platform's id, then email: one person on
 * two platforms stays one member), then everything new is written in one transaction, so a failure part way
 * never leaves half an import. Existing members keep their team and role; a re-run adds nobody twice.
 */
export async function importMembers(ctx: ServiceContext, input: ImportMembersInput): Promise<ImportMembersReport> {
  const directory = ctx.directories?.[input.platform];
  if (!directory) throw new ImportMembersError(input.platform === "slack" ? "Slack is not configured: set SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET)." : "WeCom is not configured: set the WECOM_* variables.");
  if (!ctx.playbook.teams.some((t) => t.key === input.team) || !(await findTeam(ctx.db, input.team))) {
    throw new ImportMembersError(`No team ${input.team} (teams: ${ctx.playbook.teams.map((t) => t.key).join(", ")}).`);
  }
  let people: DirectoryPerson[];
  try {
    people = await directory.members(input.group);
  } catch (error) {
    if (error instanceof DirectoryError) throw new ImportMembersError(`${error.message} Nothing was imported.`);
    throw error;
  }
  const teamLocale = (await findTeam(ctx.db, input.team))?.locale === "zh-CN" ? "zh-CN" : "en";
  const everyone = await listMembers(ctx.db);
  const handles = new Set(everyone.map((m) => m.handle));
  const emails = new Set(everyone.flatMap((m) => (m.email ? [m.email] : [])));
  const added: ImportMembersReport["added"][number][] = [];
  const create: MemberInput[] = [];
  const linked: { handle: string; id: string; memberId: number }[] = [];
  const existing: { handle: string; id: string }[] = [];
  let skipped = 0;
  for (const person of people) {
    if (!person.member) {
      skipped += 1;
      continue;
    }
    const held = await findMember(ctx.db, { platform: input.platform, externalId: person.id });
    if (held) {
      existing.push({ handle: held.handle, id: person.id });
      continue;
    }
    const byEmail: MemberRecord | null = person.email ? await findMember(ctx.db, { email: person.email }) : null;
    if (byEmail && !identityOn(byEmail, input.platform) && !linked.some((l) => l.memberId === byEmail.id)) {
      linked.push({ handle: byEmail.handle, id: person.id, memberId: byEmail.id });
      continue;
    }
    const handle = freeHandle(handles, wantedHandle(person));
    handles.add(handle);
    // An email another member holds (on this platform already) stays theirs; this person is added without it.
    const email = person.email && !emails.has(person.email) ? person.email : null;
    if (email) emails.add(email);
    const locale = person.locale ?? teamLocale;
    create.push({
      handle, displayName: person.name || person.id, teamKey: input.team, role: input.role, locale, email,
      ...(input.platform === "slack" ? { slackUserId: person.id } : { wecomUserId: person.id }),
    });
    added.push({ handle, name: person.name || person.id, id: person.id, locale, email });
  }
  if (!input.dryRun && (create.length > 0 || linked.length > 0)) {
    await writeMemberImport(ctx.db, { create, link: linked.map((l) => ({ memberId: l.memberId, platform: input.platform, externalId: l.id })) });
  }
  return { added, linked: linked.map(({ handle, id }) => ({ handle, id })), existing, skipped, dryRun: input.dryRun };
}

function identityOn(member: MemberRecord, platform: "slack" | "wecom"): string | null {
  return platform === "slack" ? member.slackUserId : member.wecomUserId;
}

/** A handle from the email's local part, else the name, else the platform id: lower case, `[a-z0-9._-]`. */
function wantedHandle(person: DirectoryPerson): string {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9._-]/g, "").slice(0, 48);
  return slug(person.email?.split("@")[0] ?? "") || slug(person.name.replace(/\s+/g, ".")) || slug(person.id) || "member";
}

function freeHandle(taken: ReadonlySet<string>, wanted: string): string {
  for (let n = 1; ; n++) {
    const handle = n === 1 ? wanted : `${wanted}${n}`;
    if (!taken.has(handle)) return handle;
  }
}
