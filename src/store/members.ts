import type { Actor, Role } from "../domain/account.js";
import type { Database } from "./database.js";
import { sql } from "./sql.js";

/** A member with their platform identities, as admins see them. */
export interface MemberRecord extends Actor {
  readonly slackUserId: string | null;
  readonly wecomUserId: string | null;
  readonly region: string | null;
  /** False once the member left: kept for history, never assigned anything, treated as a stranger. */
  readonly active: boolean;
}

/** A platform identity by which a member is recognised. */
export type Identity = { handle: string } | { slackUserId: string } | { wecomUserId: string } | { id: number };

const select = {
  id: true, handle: true, displayName: true, teamKey: true, role: true, locale: true, away: true,
  slackUserId: true, wecomUserId: true, region: true, active: true,
} as const;

type Row = { [K in keyof typeof select]: unknown } & { role: string; locale: string };

function toMember(row: Row): MemberRecord {
  // SQLite hands booleans back from raw SQL as 0/1.
  return { ...(row as unknown as MemberRecord), role: row.role as Role, locale: row.locale === "zh-CN" ? "zh-CN" : "en", away: Boolean(row.away), active: Boolean(row.active) };
}

/** The column each kind of identity is looked up by (all unique). */
const IDENTITY_COLUMN = { handle: sql`"handle"`, slackUserId: sql`"slackUserId"`, wecomUserId: sql`"wecomUserId"`, id: sql`"id"` } as const;

/** The member behind an identity, or null for someone the bot does not know. Hand-written: every request asks. */
export async function findMember(db: Database, identity: Identity): Promise<MemberRecord | null> {
  const [[kind, value]] = Object.entries(identity) as [[keyof typeof IDENTITY_COLUMN, string | number]];
  if (kind === "id" && !(Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= 2_147_483_647)) return null;
  const [row] = await db.prisma.$queryRaw<Row[]>`
    SELECT "id", "handle", "displayName", "teamKey", "role", "locale", "away", "active", "slackUserId", "wecomUserId", "region"
    FROM "Member" WHERE ${IDENTITY_COLUMN[kind]} = ${value}`;
  return row ? toMember(row) : null;
}

/** The member behind an identity who may act: someone who left is a stranger again. */
export async function findActor(db: Database, identity: Identity): Promise<MemberRecord | null> {
  const member = await findMember(db, identity);
  return member?.active ? member : null;
}

/** Every member (those who left too, marked inactive), by team then handle. */
export async function listMembers(db: Database, teamKey?: string): Promise<MemberRecord[]> {
  const rows = await db.prisma.member.findMany({ where: teamKey ? { teamKey } : {}, select, orderBy: [{ teamKey: "asc" }, { handle: "asc" }] });
  return rows.map(toMember);
}

/** Fields an admin sets on a member. */
export interface MemberInput {
  readonly handle: string;
  readonly displayName: string;
  readonly teamKey: string;
  readonly role: Role;
  readonly locale: "en" | "zh-CN";
  readonly away?: boolean;
  readonly slackUserId?: string | null;
  readonly wecomUserId?: string | null;
  readonly region?: string | null;
  readonly active?: boolean;
}

/** Creates a member, or updates the one with the same handle (adding someone who left brings them back). */
export async function upsertMember(db: Database, input: MemberInput): Promise<MemberRecord> {
  const data = { active: true, ...input };
  const row = await db.prisma.member.upsert({ where: { handle: input.handle }, create: data, update: data, select });
  return toMember(row);
}

/** Changes some fields of a member; null when there is no such member. */
export async function updateMember(db: Database, handle: string, patch: Partial<Omit<MemberInput, "handle">>): Promise<MemberRecord | null> {
  const found = await db.prisma.member.findUnique({ where: { handle }, select: { id: true } });
  if (!found) return null;
  return toMember(await db.prisma.member.update({ where: { handle }, data: patch, select }));
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
