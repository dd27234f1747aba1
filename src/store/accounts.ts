import type { AccountState, Actor, EventDraft, EventKind, StageEventRecord } from "../domain/account.js";
import type { BantAnswers } from "../domain/bant.js";
import type { OwnerInfo } from "../domain/permissions.js";
import type { OutgoingMessage } from "../commands/reply.js";
import type { Database } from "./database.js";
import type { Step } from "./driver.js";
import { senderColumns, senderOf, type Identity, type SenderColumns, type SenderRow } from "./members.js";
import { outboxData, outboxInsert, outboxRows } from "./outbox.js";
import { empty, isUniqueViolation, isWriteConflict, join, raw, sql, toDate, type Sql } from "./sql.js";

// Kept here too for callers that still import it from the account store.
export { outboxRows };

const accountSelect = {
  id: true, company: true, domain: true, email: true, source: true, ownerId: true, stage: true, stageEnteredAt: true,
  lastActivityAt: true, amount: true, currency: true, score: true, nextStepAt: true, nextStepNote: true, version: true,
} as const;

/** An account with the owner facts that permissions and messages need. */
export interface AccountWithOwner {
  readonly account: AccountState;
  readonly owner: (OwnerInfo & { readonly handle: string; readonly locale: string }) | null;
}

const ownerSelect = { id: true, displayName: true, teamKey: true, handle: true, locale: true } as const;

/** The same columns for hand-written statements (`a` is the account's alias). */
const accountColumns = join(Object.keys(accountSelect).map((column) => raw(`a."${column}"`)));

type AccountRow = AccountState & { ownerDisplayName: string | null; ownerTeamKey: string | null; ownerHandle: string | null; ownerLocale: string | null };

/** The owner's columns beside an account's (`m` is the owner's alias). */
const ownerColumns = sql`m."displayName" AS "ownerDisplayName", m."teamKey" AS "ownerTeamKey", m."handle" AS "ownerHandle", m."locale" AS "ownerLocale"`;

/** An account id a statement can look up: anything else names no account. */
function validId(id: number): boolean {
  return Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;
}

/** One account by id, with its owner, or null. One statement. */
export async function findAccount(db: Database, id: number): Promise<AccountWithOwner | null> {
  if (!validId(id)) return null;
  const [row] = await db.driver.rows<AccountRow>(sql`
    SELECT ${accountColumns}, ${ownerColumns}
    FROM "Account" a LEFT JOIN "Member" m ON m."id" = a."ownerId"
    WHERE a."id" = ${id}`);
  return row ? toAccountWithOwner(row) : null;
}

/** The account and owner of a row holding `accountColumns` and `ownerColumns` (and maybe more, left out). */
function toAccountWithOwner(row: AccountRow): AccountWithOwner {
  const { ownerDisplayName, ownerTeamKey, ownerHandle, ownerLocale } = row;
  const account: AccountState = {
    id: row.id, company: row.company, domain: row.domain, email: row.email, source: row.source, ownerId: row.ownerId, stage: row.stage,
    stageEnteredAt: toDate(row.stageEnteredAt), lastActivityAt: toDate(row.lastActivityAt), amount: row.amount, currency: row.currency,
    score: row.score, nextStepAt: row.nextStepAt === null ? null : toDate(row.nextStepAt), nextStepNote: row.nextStepNote, version: row.version,
  };
  const owner = account.ownerId !== null && ownerHandle !== null
    ? { id: account.ownerId, displayName: ownerDisplayName!, teamKey: ownerTeamKey!, handle: ownerHandle, locale: ownerLocale! }
    : null;
  return { account, owner };
}

/**
 * Accounts whose company name or domain starts with `prefix` (case-insensitive), at most `limit`. The prefix is
 * matched literally: `%`, `_` and `\` in it are escaped, so `lead show %` finds a company named "%", not every one.
 */
export async function findAccountsByPrefix(db: Database, prefix: string, limit = 6): Promise<{ id: number; company: string; domain: string | null }[]> {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.prisma.$queryRaw<{ id: number; company: string; domain: string | null }[]>`
    SELECT "id", "company", "domain" FROM "Account"
    WHERE lower("company") LIKE ${pattern} ESCAPE '\\' OR lower("domain") LIKE ${pattern} ESCAPE '\\'
    ORDER BY "id" LIMIT ${limit}`;
}

/** The oldest account whose company name is this one, ignoring case and surrounding spaces; null when none. */
export async function findAccountByName(db: Database, company: string): Promise<{ id: number; company: string; stage: string } | null> {
  const [row] = await db.prisma.$queryRaw<{ id: number; company: string; stage: string }[]>`
    SELECT "id", "company", "stage" FROM "Account" WHERE lower(trim("company")) = ${company.trim().toLowerCase()} ORDER BY "id" LIMIT 1`;
  return row ?? null;
}

/** The account with this domain or email, to merge a new lead into it instead of making a duplicate. */
export async function findAccountByContact(db: Database, domain: string | null, email: string | null): Promise<number | null> {
  const or = [...(domain ? [{ domain }] : []), ...(email ? [{ email }] : [])];
  if (or.length === 0) return null;
  return (await db.prisma.account.findFirst({ where: { OR: or }, select: { id: true } }))?.id ?? null;
}

const eventSelect = {
  id: true, accountId: true, kind: true, fromStage: true, toStage: true, actorId: true, at: true, reasonCode: true,
  reasonText: true, platform: true, amount: true, data: true,
} as const;

type EventRow = Omit<StageEventRecord, "data" | "actorName" | "kind"> & { kind: string; data: string | null };

async function withActorNames(db: Database, rows: EventRow[]): Promise<StageEventRecord[]> {
  const ids = [...new Set(rows.map((r) => r.actorId).filter((id): id is number => id !== null))];
  const names = new Map(
    ids.length === 0 ? [] : (await db.prisma.member.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } })).map((m) => [m.id, m.displayName]),
  );
  return rows.map((r) => toEventRecord(r, r.actorId === null ? null : (names.get(r.actorId) ?? null)));
}

function toEventRecord(row: EventRow, actorName: string | null): StageEventRecord {
  return { ...row, kind: row.kind as StageEventRecord["kind"], data: row.data ? (JSON.parse(row.data) as Record<string, unknown>) : null, actorName };
}

/** What a command on one account reads before it decides: {@link commandFacts}. */
export interface CommandFacts {
  /** The stored first result of the request's delivery key: the request was handled before. Undefined otherwise. */
  readonly first: unknown;
  /** The account with its owner; null when there is no such account. */
  readonly loaded: AccountWithOwner | null;
  /** The account's latest transition, with who made it; null when none. */
  readonly lastTransition: StageEventRecord | null;
}

/** The last transition's columns, prefixed so they sit beside the account's in one row. */
const TRANSITION = ["id", "accountId", "kind", "fromStage", "toStage", "actorId", "at", "reasonCode", "reasonText", "platform", "amount", "data"] as const;
const transitionColumns = join(TRANSITION.map((column) => raw(`e."${column}" AS "t_${column}"`)));
type TransitionRow = { [K in (typeof TRANSITION)[number] as `t_${K}`]: K extends "at" ? Date | string : EventRow[K & keyof EventRow] };
type FactsRow = { [K in keyof AccountRow]: AccountRow[K] | null } & TransitionRow & { t_actorName: string | null; delivery: string | null };

/**
 * Everything a command on an account reads before deciding, in one statement (one round trip): the stored
 * result of its delivery key (`deliveryKey`, null for none), the account with its owner, and the account's
 * latest transition with who made it. Every button and most commands start here. The row is there even when
 * the account is not, so a repeated request is still answered from its key.
 */
export async function commandFacts(db: Database, accountId: number, deliveryKey: string | null): Promise<CommandFacts> {
  return factsOf(await factsRow(db, accountId, sql`${deliveryKey}`, null));
}

/** {@link commandFacts} with the member who sent the command: null for nobody, or someone who left. */
export interface SenderFacts extends CommandFacts {
  readonly sender: Actor | null;
}

/**
 * {@link commandFacts} for a command whose sender is known only by a platform identity: the member behind it
 * is read in the same statement, so a command makes no round trip of its own to learn who sent it. Their
 * delivery key is their own, `key.before` + their id + `key.after` (a service's `memberKey`), so it is put
 * together in the statement; nobody's key is read for an identity that names no member.
 */
export async function senderFacts(db: Database, identity: Identity, accountId: number, key: { readonly before: string; readonly after: string } | null): Promise<SenderFacts> {
  const delivery = key ? sql`${key.before} || CAST(s."id" AS TEXT) || ${key.after}` : sql`${null}`;
  const row = await factsRow(db, accountId, delivery, senderColumns(identity));
  return { ...factsOf(row), sender: senderOf(row) };
}

/** The one row of a command's facts, the delivery read by the key `delivery` computes, the sender's columns beside. */
async function factsRow(db: Database, accountId: number, delivery: Sql, sender: SenderColumns | null): Promise<FactsRow & SenderRow> {
  const [row] = await db.driver.rows<FactsRow & SenderRow>(sql`
    SELECT ${accountColumns}, ${ownerColumns}, ${transitionColumns}, t."displayName" AS "t_actorName", ${sender ? sql`${sender.columns},` : empty}
      (SELECT d."result" FROM "ProcessedDelivery" d WHERE d."key" = ${delivery}) AS "delivery"
    FROM (SELECT 1 AS "one") AS one ${sender ? sender.join : empty}
      LEFT JOIN "Account" a ON a."id" = ${validId(accountId) ? accountId : 0}
      LEFT JOIN "Member" m ON m."id" = a."ownerId"
      LEFT JOIN "StageEvent" e ON e."id" = (
        SELECT l."id" FROM "StageEvent" l WHERE l."accountId" = a."id" AND l."kind" = 'transition' ORDER BY l."at" DESC, l."id" DESC LIMIT 1)
      LEFT JOIN "Member" t ON t."id" = e."actorId"`);
  if (!row) throw new Error("commandFacts: the statement returned no row");
  return row;
}

function factsOf(row: FactsRow): CommandFacts {
  const first = row.delivery === null ? undefined : (JSON.parse(row.delivery) as unknown);
  const loaded = row.id === null ? null : toAccountWithOwner(row as AccountRow);
  const lastTransition = row.t_id === null ? null : toEventRecord({
    id: row.t_id, accountId: row.t_accountId, kind: row.t_kind, fromStage: row.t_fromStage, toStage: row.t_toStage, actorId: row.t_actorId,
    at: toDate(row.t_at), reasonCode: row.t_reasonCode, reasonText: row.t_reasonText, platform: row.t_platform, amount: row.t_amount, data: row.t_data,
  }, row.t_actorName);
  return { first, loaded, lastTransition };
}

/** The whole audit trail of an account, oldest first. */
export async function accountHistory(db: Database, accountId: number): Promise<StageEventRecord[]> {
  const rows = await db.prisma.stageEvent.findMany({ where: { accountId }, orderBy: [{ at: "asc" }, { id: "asc" }], select: eventSelect });
  return withActorNames(db, rows);
}

/** The BANT answers last given for an account, passed or not, with when and whether they passed; null when none. */
export async function latestBant(db: Database, accountId: number): Promise<(BantAnswers & { readonly passed: boolean; readonly at: Date }) | null> {
  return db.prisma.bantAnswer.findFirst({
    where: { accountId },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    select: {
      budgetAmount: true, budgetCurrency: true, budgetConfirmed: true, decisionMaker: true, decisionRole: true, authorityEngaged: true,
      need: true, useCase: true, targetDate: true, passed: true, at: true,
    },
  });
}

/** An account as a member's list of their own shows it. */
export type OwnedAccount = Pick<AccountState, "id" | "company" | "stage" | "stageEnteredAt">;

/**
 * Accounts a member owns, in stages that are still open, oldest in stage first, at most 200: the columns a
 * list of them shows, on the driver (one prepared statement). Slack's App Home reads it after a member's
 * commands, where reading every column through Prisma cost three times as much CPU.
 */
export async function accountsOwnedBy(db: Database, ownerId: number, stages: readonly string[]): Promise<OwnedAccount[]> {
  if (stages.length === 0 || !validId(ownerId)) return [];
  const rows = await db.driver.rows<OwnedAccount>(sql`
    SELECT a."id", a."company", a."stage", a."stageEnteredAt" FROM "Account" a
    WHERE a."ownerId" = ${ownerId} AND a."stage" IN (${join([...stages])})
    ORDER BY a."stageEnteredAt" ASC, a."id" ASC LIMIT 200`);
  return rows.map((row) => ({ id: row.id, company: row.company, stage: row.stage, stageEnteredAt: toDate(row.stageEnteredAt) }));
}

/** The ids of every account a member owns in these stages, however many: what a hand-over must move. */
export async function accountIdsOwnedBy(db: Database, ownerId: number, stages: readonly string[]): Promise<number[]> {
  const rows = await db.prisma.account.findMany({ where: { ownerId, stage: { in: [...stages] } }, select: { id: true }, orderBy: { id: "asc" } });
  return rows.map((r) => r.id);
}

/**
 * A page of the accounts in `stage` that entered it at or before `enteredBefore`, oldest first, after the
 * cursor: read on the (stage, stageEnteredAt) index, so automations never load the whole table.
 */
export async function accountsInStageSince(
  db: Database,
  query: { stage: string; enteredBefore: Date; ownedOnly?: boolean; after?: { enteredAt: Date; id: number } | null; take: number },
): Promise<AccountWithOwner[]> {
  const { after } = query;
  const rows = await db.prisma.account.findMany({
    where: {
      stage: query.stage,
      stageEnteredAt: { lte: query.enteredBefore },
      ...(query.ownedOnly ? { ownerId: { not: null } } : {}),
      ...(after ? { OR: [{ stageEnteredAt: { gt: after.enteredAt } }, { stageEnteredAt: after.enteredAt, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ stageEnteredAt: "asc" }, { id: "asc" }],
    take: query.take,
    select: { ...accountSelect, owner: { select: ownerSelect } },
  });
  return rows.map(({ owner, ...account }) => ({ account, owner }));
}

/** Events of these kinds on these accounts since an instant, oldest first: what automations already did. */
export async function eventsSince(db: Database, accountIds: readonly number[], kinds: readonly EventKind[], since: Date): Promise<StageEventRecord[]> {
  if (accountIds.length === 0) return [];
  const rows = await db.prisma.stageEvent.findMany({
    where: { accountId: { in: [...accountIds] }, kind: { in: [...kinds] }, at: { gte: since } },
    orderBy: [{ at: "asc" }, { id: "asc" }],
    select: eventSelect,
  });
  return withActorNames(db, rows);
}

/** Everything a state change writes, saved together or not at all. */
export interface ChangeSet {
  readonly accountId: number;
  readonly expectedVersion: number;
  readonly next: AccountState;
  readonly events: readonly EventDraft[];
  readonly actorId: number | null;
  readonly platform: string;
  readonly at: Date;
  readonly bant: { readonly answers: BantAnswers; readonly passed: boolean } | null;
  readonly checklist: { readonly stage: string; readonly markers: readonly string[]; readonly override: string | null } | null;
  readonly messages: readonly OutgoingMessage[];
  /** Moves a team's round-robin cursor to the member just assigned. */
  readonly roundRobin: { readonly teamKey: string; readonly memberId: number } | null;
  readonly idempotency: { readonly key: string; readonly result: unknown } | null;
  /** When the account entered the stage it leaves, so a transition records its time in stage. */
  readonly previousEnteredAt?: Date;
  /** Open tasks that change assignee with the change (a leaving member's, handed over). */
  readonly tasks?: { readonly ids: readonly number[]; readonly from: number; readonly to: number } | null;
}

/** How saving a change ended. */
export type SaveOutcome = { kind: "saved" } | { kind: "conflict" } | { kind: "duplicate"; result: unknown };

/**
 * Saves a state change, its events, form answers, outgoing messages and idempotency key in one
 * transaction. The update's `where` carries the version read before deciding: if someone changed the
 * account since, it matches no row, the transaction rolls back and the caller decides again. The
 * statements every command makes are hand-written (see sql.ts); the rarer writes are model queries.
 */
export async function saveChange(db: Database, change: ChangeSet): Promise<SaveOutcome> {
  const { next, at } = change;
  const events = change.events.map((e) => sql`(
    ${change.accountId}, ${e.kind}, ${e.fromStage}, ${e.toStage}, ${change.actorId}, ${at}, ${e.reasonCode}, ${e.reasonText},
    ${change.platform}, ${e.amount}, ${e.data ? JSON.stringify(e.data) : null},
    ${secondsInStage(change, e)}
  )`);
  const outbox = outboxInsert(change.messages, at);
  const update = sql`
    UPDATE "Account" SET "stage" = ${next.stage}, "stageEnteredAt" = ${next.stageEnteredAt}, "lastActivityAt" = ${next.lastActivityAt},
      "ownerId" = ${next.ownerId}, "amount" = ${next.amount}, "currency" = ${next.currency}, "score" = ${next.score}, "nextStepAt" = ${next.nextStepAt},
      "nextStepNote" = ${next.nextStepNote}, "version" = ${next.version}
    WHERE "id" = ${change.accountId} AND "version" = ${change.expectedVersion}`;
  const insertEvents = events.length > 0
    ? sql`INSERT INTO "StageEvent" ("accountId", "kind", "fromStage", "toStage", "actorId", "at", "reasonCode", "reasonText", "platform", "amount", "data", "secondsInStage")
      VALUES ${join(events)}`
    : null;
  const insertKey = change.idempotency
    ? sql`INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt") VALUES (${change.idempotency.key}, ${JSON.stringify(change.idempotency.result)}, ${at})`
    : null;
  try {
    const hot = !(change.bant && change.actorId !== null) && !(change.checklist && change.actorId !== null) && !(change.tasks && change.tasks.ids.length > 0);
    if (hot && db.provider === "postgresql" && !change.roundRobin) {
      // PostgreSQL: the same writes as one statement, one round trip, atomic on its own.
      const [row] = await db.driver.rows<{ n: number }>(postgresSave(change, update));
      if (row?.n !== 1) return { kind: "conflict" };
      if (outbox) db.queued.notify();
      return { kind: "saved" };
    }
    if (hot) {
      // What (nearly) every command writes: on the driver, one transaction (driver.ts). The version check is
      // the update's `expect`: a moved version rolls everything back.
      const steps: Step[] = [{ sql: update, expect: 1 }];
      if (insertEvents) steps.push({ sql: insertEvents });
      if (outbox) steps.push({ sql: outbox });
      if (change.roundRobin) steps.push({ sql: sql`UPDATE "Team" SET "lastAssignedId" = ${change.roundRobin.memberId} WHERE "key" = ${change.roundRobin.teamKey}`, expect: 1 });
      if (insertKey) steps.push({ sql: insertKey });
      const done = await db.driver.transaction(steps);
      if (!done.committed) return { kind: "conflict" };
      if (outbox) db.queued.notify();
      return { kind: "saved" };
    }
    await db.prisma.$transaction(async (tx) => {
      const updated = await tx.$executeRaw(update);
      if (updated !== 1) throw new VersionConflict();
      if (insertEvents) await tx.$executeRaw(insertEvents);
      if (change.bant && change.actorId !== null) {
        await tx.bantAnswer.create({ data: { accountId: change.accountId, actorId: change.actorId, ...change.bant.answers, passed: change.bant.passed, at }, select: { id: true } });
      }
      if (change.checklist && change.actorId !== null) {
        const { stage, markers, override } = change.checklist;
        const rows: { accountId: number; stage: string; marker: string; actorId: number; overrideReason: string | null; at: Date }[] =
          markers.map((marker) => ({ accountId: change.accountId, stage, marker, actorId: change.actorId!, overrideReason: null, at }));
        if (override) rows.push({ accountId: change.accountId, stage, marker: "*override*", actorId: change.actorId, overrideReason: override, at });
        await tx.checklistConfirmation.createMany({ data: rows });
      }
      if (outbox) await tx.$executeRaw(outbox);
      if (change.tasks && change.tasks.ids.length > 0) {
        const { ids, from, to } = change.tasks;
        await tx.task.updateMany({ where: { id: { in: [...ids] }, assigneeId: from, doneAt: null }, data: { assigneeId: to } });
      }
      if (change.roundRobin) {
        await tx.team.update({ where: { key: change.roundRobin.teamKey }, data: { lastAssignedId: change.roundRobin.memberId }, select: { key: true } });
      }
      if (insertKey) await tx.$executeRaw(insertKey);
    });
    if (outbox) db.queued.notify();
    return { kind: "saved" };
  } catch (error) {
    if (error instanceof VersionConflict) return { kind: "conflict" };
    return classify(db, error, change.idempotency?.key ?? null);
  }
}

/**
 * A change's writes on PostgreSQL as one statement: the versioned update, and only if it matched a row, the
 * events, the outbox rows and the delivery key (data-modifying CTEs, each reading the update's result). A
 * repeated key fails the whole statement on its unique constraint, like the transaction it replaces. Every
 * value is cast to its column's type, since a VALUES list in a CTE does not take its types from the table.
 * Returns one row, `n`: 1 when saved, 0 when the version had moved.
 */
function postgresSave(change: ChangeSet, update: Sql): Sql {
  const { at } = change;
  const parts: Sql[] = [sql`upd AS (${update} RETURNING "id")`];
  if (change.events.length > 0) {
    const rows = change.events.map((e) => sql`(
      ${change.accountId}::int, ${e.kind}::text, ${e.fromStage}::text, ${e.toStage}::text, ${change.actorId}::int, ${at}::timestamp(3),
      ${e.reasonCode}::text, ${e.reasonText}::text, ${change.platform}::text, ${e.amount}::int, ${e.data ? JSON.stringify(e.data) : null}::text,
      ${secondsInStage(change, e)}::int)`);
    parts.push(sql`ev AS (
      INSERT INTO "StageEvent" ("accountId", "kind", "fromStage", "toStage", "actorId", "at", "reasonCode", "reasonText", "platform", "amount", "data", "secondsInStage")
      SELECT v.* FROM (VALUES ${join(rows)}) AS v WHERE EXISTS (SELECT 1 FROM upd))`);
  }
  if (change.messages.length > 0) {
    const rows = outboxData(change.messages, at).map((r) =>
      sql`(${r.targetKind}::text, ${r.target}::text, ${r.payload}::text, 'pending', 0, ${at}::timestamp(3), ${at}::timestamp(3), ${r.cardAccountId ?? null}::int)`);
    parts.push(sql`ob AS (
      INSERT INTO "OutboxMessage" ("targetKind", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "cardAccountId")
      SELECT v.* FROM (VALUES ${join(rows)}) AS v WHERE EXISTS (SELECT 1 FROM upd))`);
  }
  if (change.idempotency) {
    parts.push(sql`pd AS (
      INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt")
      SELECT ${change.idempotency.key}::text, ${JSON.stringify(change.idempotency.result)}::text, ${at}::timestamp(3) FROM upd)`);
  }
  return sql`WITH ${join(parts, ", ")} SELECT count(*)::int AS "n" FROM upd`;
}

/** A transition's time in the stage it leaves, in seconds; null for other events. */
function secondsInStage(change: ChangeSet, event: EventDraft): number | null {
  return event.kind === "transition" && change.previousEnteredAt ? Math.max(0, Math.round((change.at.getTime() - change.previousEnteredAt.getTime()) / 1000)) : null;
}

/** Someone changed the account between reading and saving. */
class VersionConflict extends Error {}

/** A new account and its first event, saved together. */
export interface NewAccount {
  readonly company: string;
  readonly domain: string | null;
  readonly email: string | null;
  readonly source: string | null;
  readonly region: string | null;
  readonly industry: string | null;
  readonly title?: string | null;
  readonly size?: number | null;
  /** The lead's score at creation (its demographic points). */
  readonly score?: number;
  readonly amount: number;
  readonly stage: string;
  readonly ownerId: number | null;
  readonly actorId: number | null;
  readonly platform: string;
  readonly at: Date;
  readonly idempotency: { readonly key: string; readonly result: (id: number) => unknown } | null;
}

/** Creates an account with its `created` event; returns its id, or the first result of a repeated key. */
export async function createAccount(db: Database, input: NewAccount): Promise<{ kind: "created"; id: number } | { kind: "duplicate"; result: unknown }> {
  try {
    const id = await db.prisma.$transaction(async (tx) => {
      const account = await tx.account.create({
        data: {
          company: input.company, domain: input.domain, email: input.email, source: input.source, region: input.region,
          industry: input.industry, title: input.title ?? null, size: input.size ?? null, score: input.score ?? 0,
          amount: input.amount, stage: input.stage, ownerId: input.ownerId,
          stageEnteredAt: input.at, lastActivityAt: input.at, createdAt: input.at,
        },
        select: { id: true },
      });
      await tx.stageEvent.create({
        data: { accountId: account.id, kind: "created", toStage: input.stage, actorId: input.actorId, at: input.at, platform: input.platform },
      });
      if (input.idempotency) {
        await tx.processedDelivery.create({ data: { key: input.idempotency.key, result: JSON.stringify(input.idempotency.result(account.id)), createdAt: input.at } });
      }
      return account.id;
    });
    return { kind: "created", id };
  } catch (error) {
    const outcome = await classify(db, error, input.idempotency?.key ?? null);
    if (outcome.kind === "duplicate") return outcome;
    throw error;
  }
}

async function classify(db: Database, error: unknown, key: string | null): Promise<SaveOutcome> {
  if (isUniqueViolation(error) && key !== null) {
    const first = await findDelivery(db, key);
    if (first !== undefined) return { kind: "duplicate", result: first };
  }
  // P2025: a versioned model update found no row; or PostgreSQL aborted a write conflict or deadlock.
  if ((error as { code?: unknown } | null)?.code === "P2025" || isWriteConflict(error)) return { kind: "conflict" };
  throw error;
}

/** The stored result of a delivery already handled, or undefined for a new one. */
export async function findDelivery(db: Database, key: string): Promise<unknown> {
  const [row] = await db.driver.rows<{ result: string }>(sql`SELECT "result" FROM "ProcessedDelivery" WHERE "key" = ${key}`);
  return row ? (JSON.parse(row.result) as unknown) : undefined;
}
