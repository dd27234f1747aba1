import type { Actor, Role } from "../domain/account.js";
import type { Database } from "./database.js";
import { empty, raw, sql, type Sql } from "./sql.js";

/** A member with their platform identities, as admins see them. */
export interface MemberRecord extends Actor {
  /** Their Slack user id: the `slack` identity row, if any. */
  readonly slackUserId: string | null;
  /** Their WeCom UserID: the `wecom` identity row, if any. */
  readonly wecomUserId: string | null;
  readonly email: string | null;
  readonly region: string | null;
  /** False once the member left: kept for history, never assigned anything, treated as a stranger. */
  readonly active: boolean;
}

/** The platforms a member can have an identity on; a new one (Feishu, DingTalk) is a new name here, rows in the table. */
export const PLATFORMS = ["slack", "wecom"] as const;
/** A platform of {@link PLATFORMS}. */
export type Platform = (typeof PLATFORMS)[number];

/** A platform identity by which a member is recognised. */
export type Identity =
  | { handle: string } | { slackUserId: string } | { wecomUserId: string } | { id: number } | { email: string }
  | { platform: string; externalId: string };

type Row = {
  id: number; handle: string; displayName: string; teamKey: string; role: string; locale: string; away: unknown; active: unknown;
  email: string | null; region: string | null; slackUserId: string | null; wecomUserId: string | null;
};

/** A member's typed fields from raw SQL's: SQLite hands booleans back as 0/1, and a locale is one we speak. */
function typed(row: { role: string; locale: string; away: unknown }): Pick<Actor, "role" | "locale" | "away"> {
  return { role: row.role as Role, locale: row.locale === "zh-CN" ? "zh-CN" : "en", away: Boolean(row.away) };
}

function toMember(row: Row): MemberRecord {
  return { ...row, ...typed(row), active: Boolean(row.active) };
}

/** The member's columns with their Slack and WeCom ids, for hand-written statements (`m` is the member's alias). */
const memberColumns = sql`m."id", m."handle", m."displayName", m."teamKey", m."role", m."locale", m."away", m."active", m."email", m."region",
  (SELECT i."externalId" FROM "MemberIdentity" i WHERE i."memberId" = m."id" AND i."platform" = 'slack') AS "slackUserId",
  (SELECT i."externalId" FROM "MemberIdentity" i WHERE i."memberId" = m."id" AND i."platform" = 'wecom') AS "wecomUserId"`;

/** The condition for an identity on the member aliased `alias`: a column of Member, or an identity row. */
function whereOf(identity: Identity, alias: "m" | "s" = "m"): Sql | null {
  const m = raw(alias);
  if ("id" in identity) return Number.isSafeInteger(identity.id) && identity.id > 0 && identity.id <= 2_147_483_647 ? sql`${m}."id" = ${identity.id}` : null;
  if ("handle" in identity) return sql`${m}."handle" = ${identity.handle}`;
  if ("email" in identity) return sql`${m}."email" = ${identity.email.toLowerCase()}`;
  const [platform, externalId] = "slackUserId" in identity ? ["slack", identity.slackUserId] : "wecomUserId" in identity ? ["wecom", identity.wecomUserId] : [identity.platform, identity.externalId];
  return sql`${m}."id" = (SELECT i."memberId" FROM "MemberIdentity" i WHERE i."platform" = ${platform} AND i."externalId" = ${externalId})`;
}

/** A member read beside other columns (as `s`, columns prefixed `s_`): who sent a command, with its facts. */
export interface SenderColumns {
  /** The sender's columns, for the SELECT list. */
  readonly columns: Sql;
  /** `LEFT JOIN "Member" s …` on the identity: no member, and the columns are null. */
  readonly join: Sql;
}

/** The statement parts that read the member behind `identity` beside what another statement reads. */
export function senderColumns(identity: Identity): SenderColumns {
  return {
    columns: sql`s."id" AS "s_id", s."handle" AS "s_handle", s."displayName" AS "s_displayName", s."teamKey" AS "s_teamKey", s."role" AS "s_role",
      s."locale" AS "s_locale", s."away" AS "s_away", s."active" AS "s_active"`,
    join: sql`LEFT JOIN "Member" s ON ${whereOf(identity, "s") ?? sql`1 = 0`}`,
  };
}

/** The sender's columns of a row read with {@link senderColumns}. */
export type SenderRow = {
  s_id: number | null; s_handle: string | null; s_displayName: string | null; s_teamKey: string | null; s_role: string | null; s_locale: string | null;
  s_away: unknown; s_active: unknown;
};

/** The member who may act, of a row read with {@link senderColumns}: null for nobody, or someone who left. */
export function senderOf(row: SenderRow): Actor | null {
  if (row.s_id === null || !row.s_active) return null;
  return {
    id: row.s_id, handle: row.s_handle!, displayName: row.s_displayName!, teamKey: row.s_teamKey!,
    ...typed({ role: row.s_role!, locale: row.s_locale!, away: row.s_away }),
  };
}

/** The member behind an identity, or null for someone the bot does not know. Hand-written: every request asks. */
export async function findMember(db: Database, identity: Identity): Promise<MemberRecord | null> {
  const where = whereOf(identity);
  if (!where) return null;
  const [row] = await db.driver.rows<Row>(sql`SELECT ${memberColumns} FROM "Member" m WHERE ${where}`);
  return row ? toMember(row) : null;
}

/** The member behind an identity who may act: someone who left is a stranger again. */
export async function findActor(db: Database, identity: Identity): Promise<MemberRecord | null> {
  const member = await findMember(db, identity);
  return member?.active ? member : null;
}

/** Every member (those who left too, marked inactive), by team then handle. */
export async function listMembers(db: Database, teamKey?: string): Promise<MemberRecord[]> {
  const rows = await db.prisma.$queryRaw<Row[]>`
    SELECT ${memberColumns} FROM "Member" m ${teamKey ? sql`WHERE m."teamKey" = ${teamKey}` : empty} ORDER BY m."teamKey", m."handle"`;
  return rows.map(toMember);
}

/** Every platform identity of a member, by platform. */
export async function identitiesOf(db: Database, memberId: number): Promise<Record<string, string>> {
  const rows = await db.prisma.memberIdentity.findMany({ where: { memberId }, select: { platform: true, externalId: true } });
  return Object.fromEntries(rows.map((r) => [r.platform, r.externalId]));
}

/** Fields an admin sets on a member. */
export interface MemberInput {
  readonly handle: string;
  readonly displayName: string;
  readonly teamKey: string;
  readonly role: Role;
  readonly locale: "en" | "zh-CN";
  readonly away?: boolean;
  /** A platform id to set; null removes that identity; unset leaves it. */
  readonly slackUserId?: string | null;
  readonly wecomUserId?: string | null;
  readonly email?: string | null;
  readonly region?: string | null;
  readonly active?: boolean;
}

type Tx = Parameters<Parameters<Database["prisma"]["$transaction"]>[0]>[0];

/** Writes the identity rows a change names: a value sets that platform's row, null removes it. */
async function writeIdentities(tx: Tx, memberId: number, patch: Partial<MemberInput>): Promise<void> {
  for (const [platform, value] of [["slack", patch.slackUserId], ["wecom", patch.wecomUserId]] as const) {
    if (value === undefined) continue;
    if (value === null) await tx.memberIdentity.deleteMany({ where: { memberId, platform } });
    else await tx.memberIdentity.upsert({ where: { memberId_platform: { memberId, platform } }, create: { memberId, platform, externalId: value }, update: { externalId: value }, select: { id: true } });
  }
}

function columnsOf(patch: Partial<MemberInput>) {
  const { slackUserId: _slack, wecomUserId: _wecom, email, ...rest } = patch;
  return { ...rest, ...(email !== undefined ? { email: email?.toLowerCase() ?? null } : {}) };
}

/** Creates a member, or updates the one with the same handle (adding someone who left brings them back). */
export async function upsertMember(db: Database, input: MemberInput): Promise<MemberRecord> {
  const data = { active: true, ...columnsOf(input), handle: input.handle, displayName: input.displayName, teamKey: input.teamKey, role: input.role, locale: input.locale };
  const id = await db.prisma.$transaction(async (tx) => {
    const { id } = await tx.member.upsert({ where: { handle: input.handle }, create: data, update: data, select: { id: true } });
    await writeIdentities(tx, id, input);
    return id;
  });
  return (await findMember(db, { id }))!;
}

/** Changes some fields of a member; null when there is no such member. */
export async function updateMember(db: Database, handle: string, patch: Partial<Omit<MemberInput, "handle">>): Promise<MemberRecord | null> {
  const found = await db.prisma.member.findUnique({ where: { handle }, select: { id: true } });
  if (!found) return null;
  await db.prisma.$transaction(async (tx) => {
    await tx.member.update({ where: { id: found.id }, data: columnsOf(patch), select: { id: true } });
    await writeIdentities(tx, found.id, patch);
  });
  return findMember(db, { id: found.id });
}

/** Adds an identity to a member; refused (false) when another member holds it. */
export async function linkIdentity(db: Database, memberId: number, platform: string, externalId: string): Promise<{ ok: true } | { ok: false; holder: string }> {
  const holder = await findMember(db, { platform, externalId });
  if (holder && holder.id !== memberId) return { ok: false, holder: holder.handle };
  await db.prisma.memberIdentity.upsert({ where: { memberId_platform: { memberId, platform } }, create: { memberId, platform, externalId }, update: { externalId }, select: { id: true } });
  return { ok: true };
}

/** How many active admins there are: the last one may not be demoted or removed. */
export async function countAdmins(db: Database): Promise<number> {
  return db.prisma.member.count({ where: { role: "admin", active: true } });
}

/** How many active managers a team has: the last one may not be removed. */
export async function countManagers(db: Database, teamKey: string): Promise<number> {
  return db.prisma.member.count({ where: { role: "manager", teamKey, active: true } });
}

/** Marks a member as gone, keeping the row and everything that points at it; false when already inactive. */
export async function deactivateMember(db: Database, id: number): Promise<boolean> {
  const { count } = await db.prisma.member.updateMany({ where: { id, active: true }, data: { active: false } });
  return count === 1;
}

/** What an import writes: new members, and identities added to existing ones. */
export interface MemberImport {
  readonly create: readonly MemberInput[];
  readonly link: readonly { readonly memberId: number; readonly platform: string; readonly externalId: string }[];
}

/** Writes an import in one transaction: all of it, or (on any failure) none of it. */
export async function writeMemberImport(db: Database, plan: MemberImport): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    for (const input of plan.create) {
      const { id } = await tx.member.create({ data: { active: true, ...columnsOf(input), handle: input.handle, displayName: input.displayName, teamKey: input.teamKey, role: input.role, locale: input.locale }, select: { id: true } });
      await writeIdentities(tx, id, input);
    }
    for (const link of plan.link) await tx.memberIdentity.create({ data: link, select: { id: true } });
  }, { timeout: 60_000 });
}
