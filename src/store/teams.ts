import type { Database } from "./database.js";

/** A team and where its messages go. */
export interface TeamRecord {
  readonly key: string;
  readonly name: string;
  readonly locale: "en" | "zh-CN";
  readonly slackChannel: string | null;
  readonly wecomChatId: string | null;
  readonly wecomRobotKey: string | null;
  readonly lastAssignedId: number | null;
  /** The team's business calendar: a region code (`cn`, `us-ca`) or a calendar file's path; null, the default. */
  readonly calendar: string | null;
  /** The team's IANA timezone; null, its calendar's. */
  readonly timezone: string | null;
}

const select = { key: true, name: true, locale: true, slackChannel: true, wecomChatId: true, wecomRobotKey: true, lastAssignedId: true, calendar: true, timezone: true } as const;

function toTeam(row: { locale: string } & Omit<TeamRecord, "locale">): TeamRecord {
  return { ...row, locale: row.locale === "zh-CN" ? "zh-CN" : "en" };
}

/** Every team. */
export async function listTeams(db: Database): Promise<TeamRecord[]> {
  return (await db.prisma.team.findMany({ select, orderBy: { key: "asc" } })).map(toTeam);
}

/** One team, or null. */
export async function findTeam(db: Database, key: string): Promise<TeamRecord | null> {
  const row = await db.prisma.team.findUnique({ where: { key }, select });
  return row ? toTeam(row) : null;
}

/** Fields an admin sets on a team. */
export type TeamInput = Partial<Omit<TeamRecord, "key" | "lastAssignedId">> & { readonly key: string; readonly name: string };

/** Creates a team, or updates the one with the same key. */
export async function upsertTeam(db: Database, input: TeamInput): Promise<TeamRecord> {
  return toTeam(await db.prisma.team.upsert({ where: { key: input.key }, create: input, update: input, select }));
}
