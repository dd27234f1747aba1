import type { CardOutcome, Destination, Locale, OutgoingMessage, Reply } from "../commands/reply.js";
import type { Database } from "./database.js";
import type { Prisma as P } from "./generated/sqlite/client.js";
import { empty, join, raw, sql, toDate, type Sql } from "./sql.js";

/** What an outbox row carries, as written by `outboxRows`. */
export interface OutboxPayload {
  readonly reply: Reply;
  readonly card: { readonly accountId: number; readonly kind: string } | null;
  /** For `cards` rows: what happened to the account, re-rendered into each posted copy. */
  readonly outcome: CardOutcome | null;
  /** Set on the bot's own delivery-failure alerts, so a failed alert never raises another one. */
  readonly alert: boolean;
}

/** A claimed outbox message, ready to hand to a platform. */
export interface OutboxRow {
  readonly id: number;
  /**
   * A `Destination` kind, with `target` as `targetOf` writes it: "member" (member id), "team" (team
   * key), "cards" (account id), "response" (`<platform> <address>`) or "person" (`<platform> <user id>`).
   */
  readonly targetKind: string;
  readonly target: string;
  readonly payload: OutboxPayload;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly createdAt: Date;
  /**
   * For a `cards` row: its account's live cards on every platform posted before it (see `livePostedCards`), read
   * with the claim. Only a platform whose refs stay put (Slack's ts) may use them: a WeCom card's ref changes
   * with each click, so WeCom reads its own at delivery. Unset for other rows.
   */
  readonly cards?: readonly PostedCard[];
}

/** How many outbox rows are in each state. */
export interface OutboxStats {
  readonly pending: number;
  readonly sent: number;
  readonly parked: number;
}

/** A card of an account posted somewhere, with what the platform needs to update it in place. */
export interface PostedCard {
  readonly id: number;
  readonly accountId: number;
  readonly platform: string;
  readonly channel: string;
  readonly ref: string;
  readonly locale: Locale;
  /** The outbox row that posted it, when known. */
  readonly outboxId: number | null;
  readonly createdAt: Date;
}

// Long platform errors (HTML error pages, stack traces) would bloat rows and alerts.
const MAX_ERROR = 500;

/** How a destination is stored: one string per kind, so that messages to one place share a queue. */
export function targetOf(to: Destination): string {
  switch (to.kind) {
    case "member":
      return String(to.memberId);
    case "team":
      return to.teamKey;
    case "cards":
      return String(to.accountId);
    case "response":
      return `${to.platform} ${to.address}`;
    case "person":
      return `${to.platform} ${to.externalId}`;
  }
}

/** The account whose card a message posts (a notice with a card) or updates (a `cards` row), if any. */
function cardAccountOf(m: OutgoingMessage): number | null {
  return m.to.kind === "cards" ? m.to.accountId : (m.card?.accountId ?? null);
}

/**
 * Outbox rows for messages, to add to a batch transaction: written with the change that caused them,
 * or on their own by `enqueue`.
 */
export function outboxRows(db: Database, messages: readonly OutgoingMessage[], at: Date, options: { alert?: boolean } = {}): P.PrismaPromise<unknown>[] {
  if (messages.length === 0) return [];
  return [db.prisma.outboxMessage.createMany({ data: outboxData(messages, at, options) })];
}

/** The outbox rows for messages as plain data, for writers inside an interactive transaction. */
export function outboxData(messages: readonly OutgoingMessage[], at: Date, options: { alert?: boolean } = {}): P.OutboxMessageCreateManyInput[] {
  return messages.map((m) => ({
    targetKind: m.to.kind,
    target: targetOf(m.to),
    payload: JSON.stringify({
      reply: m.reply,
      card: m.card ? { accountId: m.card.accountId, kind: m.card.kind } : null,
      ...(m.outcome ? { outcome: m.outcome } : {}),
      ...(options.alert ? { alert: true } : {}),
    }),
    nextAttemptAt: at,
    createdAt: at,
    cardAccountId: cardAccountOf(m),
  }));
}

/** The rows for messages as one multi-row INSERT, for hand-written transactions; null when there are none. */
export function outboxInsert(messages: readonly OutgoingMessage[], at: Date, options: { alert?: boolean } = {}): Sql | null {
  if (messages.length === 0) return null;
  const rows = outboxData(messages, at, options).map((r) => sql`(${r.targetKind}, ${r.target}, ${r.payload}, 'pending', 0, ${at}, ${at}, ${r.cardAccountId ?? null})`);
  return sql`INSERT INTO "OutboxMessage" ("targetKind", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "cardAccountId") VALUES ${join(rows)}`;
}

/**
 * Queues messages that no business change goes with (alerts, digests); returns how many were written. With
 * `once`, a key of its own (in ProcessedDelivery, written in the same transaction): only the first call with
 * that key queues anything, on any replica, and a repeat returns 0.
 */
export async function enqueue(db: Database, messages: readonly OutgoingMessage[], at: Date, options: { alert?: boolean; once?: string } = {}): Promise<number> {
  // On the driver (driver.ts): every WeCom command's answer and every late Slack answer is queued here.
  const insert = outboxInsert(messages, at, options);
  if (!insert) return 0;
  let count: number;
  if (options.once === undefined) count = await db.driver.run(insert);
  else {
    const key = sql`INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt") VALUES (${options.once}, ${QUEUED}, ${at}) ON CONFLICT DO NOTHING`;
    const done = await db.driver.transaction([{ sql: key, expect: 1 }, { sql: insert }]);
    if (!done.committed) return 0;
    count = messages.length;
  }
  db.queued.notify();
  return count;
}

/** What a `once` key's row holds: that its messages were queued. */
const QUEUED = JSON.stringify("queued");

function parsePayload(text: string): OutboxPayload | null {
  try {
    const value = JSON.parse(text) as { reply?: Reply; card?: OutboxPayload["card"]; outcome?: CardOutcome; alert?: boolean } | null;
    if (!value || typeof value.reply !== "object" || value.reply === null || typeof value.reply.text !== "string") return null;
    return { reply: value.reply, card: value.card ?? null, outcome: value.outcome ?? null, alert: value.alert === true };
  } catch {
    return null;
  }
}

/**
 * Claims up to `limit` due messages for `workerId`. Only the oldest pending message of each target is
 * eligible, so a target's messages go out in order and one that is waiting to be retried holds back
 * the ones after it. An update of an account's cards also waits for every earlier message that posts
 * one of those cards, or it would miss a card still on its way: looked up by `cardAccountId` (an index), in
 * the same statement that reads the heads. The claim is one conditional UPDATE that only one worker's can
 * match, so two workers (or replicas) never hold the same row; a claim older than `leaseMs` is taken over,
 * since its worker has most likely died. Hand-written (see sql.ts), since every message passes through here:
 * one round trip a pass on PostgreSQL. A single UPDATE choosing its rows by subquery without SKIP LOCKED made
 * two PostgreSQL workers wait seconds on each other's row locks (the two-servers chaos scenario left 700
 * messages undelivered); the heads are locked with SKIP LOCKED as they are chosen, so no worker waits.
 */
export async function claimDue(db: Database, workerId: string, now: Date, options: { limit: number; leaseMs: number }): Promise<OutboxRow[]> {
  const staleBefore = new Date(now.getTime() - options.leaseMs);
  const claimable = sql`"status" = 'pending' AND "nextAttemptAt" <= ${now} AND ("claimedBy" IS NULL OR "claimedAt" < ${staleBefore})`;
  // The head of each target's queue (no earlier pending row of its target), if it is due and free, and for a
  // card update only once no earlier pending message posts a card of its account. Pending rows are read in id
  // order and each check is an index probe, so a pass stops after `limit` heads however long the backlog.
  const heads = sql`
    SELECT h."id", CASE WHEN h."targetKind" = 'cards' THEN ${db.provider === "postgresql" ? postgresCardsBefore : sqliteCardsBefore} END AS "cards"
    FROM "OutboxMessage" h ${db.provider === "sqlite" ? byIdOrder : empty}
    WHERE ${claimable}
      AND NOT EXISTS (
        SELECT 1 FROM "OutboxMessage" e WHERE e."targetKind" = h."targetKind" AND e."target" = h."target" AND e."status" = 'pending' AND e."id" < h."id")
      AND NOT (h."targetKind" = 'cards' AND EXISTS (
        SELECT 1 FROM "OutboxMessage" p
        WHERE p."cardAccountId" = h."cardAccountId" AND p."status" = 'pending' AND p."id" < h."id" AND p."targetKind" <> 'cards'))
    ORDER BY h."id"
    LIMIT ${options.limit}`;
  const claim = sql`UPDATE "OutboxMessage" SET "claimedBy" = ${workerId}, "claimedAt" = ${now}`;
  const returning = sql`"id", "targetKind", "target", "payload", "attempts", "createdAt"`;
  type Claimed = { id: number; targetKind: string; target: string; payload: string; attempts: number; createdAt: Date | string; cards: string | CardJson[] | null };
  let rows: Claimed[];
  if (db.provider === "postgresql") {
    // One round trip: the heads locked as they are chosen, skipping any row another worker (or a mark) holds
    // instead of waiting for it, then claimed. A row claimed and committed meanwhile is read again when locked
    // and is no longer claimable; its target's later rows are no heads while it is pending.
    rows = await db.driver.rows<Claimed>(sql`
      WITH due AS (${heads} FOR UPDATE OF h SKIP LOCKED)
      ${claim} FROM due WHERE "OutboxMessage"."id" = due."id" AND ${claimable}
      RETURNING "OutboxMessage"."id", "targetKind", "target", "payload", "attempts", "createdAt", due."cards"`);
  } else {
    // SQLite has one writer and no round trips: read the heads, then claim them by id.
    const due = await db.driver.rows<{ id: number; cards: string | CardJson[] | null }>(heads);
    if (due.length === 0) return [];
    const cards = new Map(due.map((row) => [row.id, row.cards]));
    const claimedRows = await db.driver.rows<Omit<Claimed, "cards">>(sql`${claim} WHERE "id" IN (${join(due.map((row) => row.id))}) AND ${claimable} RETURNING ${returning}`);
    rows = claimedRows.map((row) => ({ ...row, cards: cards.get(row.id) ?? null }));
  }
  const claimed: OutboxRow[] = [];
  for (const row of rows.sort((x, y) => x.id - y.id)) {
    const payload = parsePayload(row.payload);
    // A row nobody can read would block its target forever: park it where an admin can see it.
    if (!payload) await markParked(db, row.id, workerId, "unreadable payload");
    else claimed.push({ id: row.id, targetKind: row.targetKind, target: row.target, attempts: row.attempts, createdAt: toDate(row.createdAt), payload, ...(row.cards !== null ? { cards: cardsOf(row.cards) } : {}) });
  }
  return claimed;
}

/**
 * SQLite would read the pending rows by (status, nextAttemptAt) and sort them all, every pass; read in id order
 * instead, a pass stops after `limit` heads. (PostgreSQL's planner takes that index on its own.)
 */
const byIdOrder = raw(`INDEXED BY "OutboxMessage_status_id_idx"`);

type CardJson = Omit<PostedCard, "locale" | "createdAt"> & { locale: string; createdAt: string | number };

const cardJsonFields = ["id", "accountId", "platform", "channel", "ref", "locale", "outboxId", "createdAt"];
/** A cards head's live cards posted before it, as one JSON array (`h` is the head), oldest first. */
const postgresCardsBefore = raw(`(SELECT json_agg(json_build_object(${cardJsonFields.map((f) => `'${f}', c."${f}"`).join(", ")}) ORDER BY c."id")
  FROM "PostedCard" c WHERE c."accountId" = h."cardAccountId" AND c."live" = true AND (c."outboxId" IS NULL OR c."outboxId" < h."id"))`);
const sqliteCardsBefore = raw(`(SELECT json_group_array(json_object(${cardJsonFields.map((f) => `'${f}', c."${f}"`).join(", ")})) FROM (
  SELECT * FROM "PostedCard" c WHERE c."accountId" = h."cardAccountId" AND c."live" = 1 AND (c."outboxId" IS NULL OR c."outboxId" < h."id") ORDER BY c."id") c)`);

/** The cards of `postgresCardsBefore` or `sqliteCardsBefore`: JSON (parsed by pg) or its text (SQLite). */
function cardsOf(value: string | CardJson[]): PostedCard[] {
  const list = typeof value === "string" ? (JSON.parse(value) as CardJson[]) : value;
  // PostgreSQL's JSON writes a timestamp(3) without its zone (UTC, as Prisma writes them); SQLite's text has one.
  return list.map((c) => toPostedCard({ ...c, createdAt: typeof c.createdAt === "string" && !/(Z|[+-]\d\d:\d\d)$/.test(c.createdAt) ? new Date(`${c.createdAt}Z`) : toDate(c.createdAt) }));
}

/**
 * Records a delivered message, and retires the posted cards its delivery finished with (`retire`, see
 * `closePostedCards`) in the same round trip; false when the row is no longer this worker's to mark (the
 * cards are retired all the same: they were updated).
 */
export async function markSent(db: Database, id: number, workerId: string, at: Date, retire: readonly number[] = []): Promise<boolean> {
  const mark = sql`
    UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ${at}, "lastError" = NULL
    WHERE "id" = ${id} AND "status" = 'pending' AND "claimedBy" = ${workerId}`;
  if (retire.length === 0) return (await db.driver.run(mark)) === 1;
  if (db.provider === "postgresql") {
    // One statement: the retiring is a data-modifying CTE beside the mark; the array keeps one prepared text.
    const [row] = await db.driver.rows<{ n: number }>(sql`
      WITH retired AS (UPDATE "PostedCard" SET "live" = false WHERE "id" = ANY(${[...retire]}::int[]) AND "live" = true),
        marked AS (${mark} RETURNING "id")
      SELECT count(*)::int AS "n" FROM marked`);
    return row?.n === 1;
  }
  const done = await db.driver.transaction([{ sql: retireCards(retire) }, { sql: sql`${mark} RETURNING "id"` }]);
  return done.committed && done.returned[1]!.length === 1;
}

function retireCards(ids: readonly number[]): Sql {
  return sql`UPDATE "PostedCard" SET "live" = ${false} WHERE "id" IN (${join(ids)}) AND "live" = ${true}`;
}

/** Counts a failed attempt and releases the row until `nextAt`; false when it is no longer this worker's. */
export async function markRetry(db: Database, id: number, workerId: string, nextAt: Date, error: string, options: { countAttempt?: boolean } = {}): Promise<boolean> {
  const { count } = await db.prisma.outboxMessage.updateMany({
    where: { id, status: "pending", claimedBy: workerId },
    data: { attempts: { increment: options.countAttempt === false ? 0 : 1 }, nextAttemptAt: nextAt, lastError: error.slice(0, MAX_ERROR), claimedBy: null, claimedAt: null },
  });
  return count === 1;
}

/**
 * Gives up on a message after a failed attempt: it stays in the table with its last error for an
 * admin, and no longer holds back its target's later messages. False when it is no longer this worker's.
 */
export async function markParked(db: Database, id: number, workerId: string, error: string): Promise<boolean> {
  const { count } = await db.prisma.outboxMessage.updateMany({
    where: { id, status: "pending", claimedBy: workerId },
    data: { status: "parked", attempts: { increment: 1 }, lastError: error.slice(0, MAX_ERROR) },
  });
  return count === 1;
}

/** Hands back rows this worker claimed but will not deliver now, so another pass may take them at once. */
export async function releaseClaims(db: Database, ids: readonly number[], workerId: string): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await db.prisma.outboxMessage.updateMany({
    where: { id: { in: [...ids] }, status: "pending", claimedBy: workerId },
    data: { claimedBy: null, claimedAt: null },
  });
  return count;
}

/** Counts of outbox rows by state, for health checks and benchmarks. */
export async function outboxStats(db: Database): Promise<OutboxStats> {
  const groups = await db.prisma.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
  const count = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return { pending: count("pending"), sent: count("sent"), parked: count("parked") };
}

const cardSelect = { id: true, accountId: true, platform: true, channel: true, ref: true, locale: true, outboxId: true, createdAt: true } as const;

function toPostedCard(row: Omit<PostedCard, "locale"> & { locale: string }): PostedCard {
  return { ...row, locale: row.locale === "zh-CN" ? "zh-CN" : "en" };
}

/** Where a card was posted: `ref` is what the platform edits it by (Slack message ts, WeCom response_code). */
export interface NewPostedCard {
  readonly accountId: number;
  readonly platform: string;
  readonly channel: string;
  readonly ref: string;
  readonly at: Date;
  /** The language it was rendered in; English when not given. */
  readonly locale?: Locale;
  readonly outboxId?: number | null;
}

/** Remembers where a card of an account was posted; returns the new record. */
export async function recordPostedCard(db: Database, card: NewPostedCard): Promise<PostedCard> {
  const row = await db.prisma.postedCard.create({
    data: {
      accountId: card.accountId, platform: card.platform, channel: card.channel, ref: card.ref, locale: card.locale ?? "en",
      outboxId: card.outboxId ?? null, createdAt: card.at,
    },
    select: cardSelect,
  });
  return toPostedCard(row);
}

/**
 * The cards of an account on a platform that can still be updated, oldest first. With `beforeOutboxId`,
 * only those posted by earlier outbox rows (or by none known): a late update must not touch a newer card.
 */
export async function livePostedCards(db: Database, accountId: number, platform: string, beforeOutboxId?: number): Promise<PostedCard[]> {
  // Hand-written (see sql.ts): every transition's card update asks, once per platform.
  const rows = await db.driver.rows<Omit<PostedCard, "locale" | "createdAt"> & { locale: string; createdAt: Date | string }>(sql`
    SELECT "id", "accountId", "platform", "channel", "ref", "locale", "outboxId", "createdAt" FROM "PostedCard"
    WHERE "accountId" = ${accountId} AND "platform" = ${platform} AND "live" = ${true}
      ${beforeOutboxId === undefined ? empty : sql`AND ("outboxId" IS NULL OR "outboxId" < ${beforeOutboxId})`}
    ORDER BY "id"`);
  return rows.map((row) => toPostedCard({ ...row, createdAt: toDate(row.createdAt) }));
}

/**
 * Points a live card at a new ref (WeCom hands out a fresh response_code with each click), if it still
 * has `from`: false when the card was retired or renewed meanwhile, and nothing changed.
 */
export async function replacePostedCardRef(db: Database, id: number, from: string, to: string): Promise<boolean> {
  const { count } = await db.prisma.postedCard.updateMany({ where: { id, ref: from, live: true }, data: { ref: to } });
  return count === 1;
}

/** Marks cards as no longer to be updated (final state shown, or the platform's ref expired). */
export async function closePostedCards(db: Database, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  // On the driver (driver.ts): every card update retires the copies it finished with.
  return db.driver.run(retireCards(ids));
}
