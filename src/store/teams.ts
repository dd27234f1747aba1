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

/**
 * The channel rows behind each field of a team: a new platform adds a row kind here, not a column. Which of a
 * team's fields each (platform, kind) row fills.
 */
const CHANNELS = { slackChannel: ["slack", "channel"], wecomChatId: ["wecom", "chat"], wecomRobotKey: ["wecom", "robot"] } as const;
type ChannelField = keyof typeof CHANNELS;

const select = { key: true, name: true, locale: true, lastAssignedId: true, calendar: true, timezone: true, channels: { select: { platform: true, kind: true, ref: true } } } as const;

type Row = { key: string; name: string; locale: string; lastAssignedId: number | null; calendar: string | null; timezone: string | null; channels: { platform: string; kind: string; ref: string }[] };

function toTeam({ channels, ...row }: Row): TeamRecord {
  const ref = (field: ChannelField) => channels.find((c) => c.platform === CHANNELS[field][0] && c.kind === CHANNELS[field][1])?.ref ?? null;
  return { ...row, locale: row.locale === "zh-CN" ? "zh-CN" : "en", slackChannel: ref("slackChannel"), wecomChatId: ref("wecomChatId"), wecomRobotKey: ref("wecomRobotKey") };
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

/** Fields an admin sets on a team; a channel set to null is removed, one left unset is kept. */
export type TeamInput = Partial<Omit<TeamRecord, "key" | "lastAssignedId">> & { readonly key: string; readonly name: string };

/** Creates a team, or updates the one with the same key, with its channel rows, in one transaction. */
export async function upsertTeam(db: Database, input: TeamInput): Promise<TeamRecord> {
  const { slackChannel, wecomChatId, wecomRobotKey, ...columns } = input;
  const refs: Record<ChannelField, string | null | undefined> = { slackChannel, wecomChatId, wecomRobotKey };
  await db.prisma.$transaction(async (tx) => {
    await tx.team.upsert({ where: { key: input.key }, create: columns, update: columns, select: { key: true } });
    for (const [field, [platform, kind]] of Object.entries(CHANNELS) as [ChannelField, readonly [string, string]][]) {
      const ref = refs[field];
      if (ref === undefined) continue;
      const where = { teamKey_platform_kind: { teamKey: input.key, platform, kind } };
      if (ref === null) await tx.teamChannel.deleteMany({ where: { teamKey: input.key, platform, kind } });
      else await tx.teamChannel.upsert({ where, create: { teamKey: input.key, platform, kind, ref }, update: { ref }, select: { id: true } });
    }
  });
  return (await findTeam(db, input.key))!;
}
