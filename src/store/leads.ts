import type { BehaviourTotal, LeadProfile } from "../domain/scoring.js";
import type { Database } from "./database.js";
import type { Prisma as P } from "./generated/sqlite/client.js";
import { findDelivery } from "./accounts.js";

/** A lead's contact and demographic facts, as intake updates and scoring reads them. */
export interface LeadRecord extends LeadProfile {
  readonly id: number;
  readonly company: string;
  readonly email: string | null;
  readonly domain: string | null;
  readonly source: string | null;
  readonly stage: string;
  readonly ownerId: number | null;
  readonly score: number;
  readonly version: number;
}

const leadSelect = {
  id: true, company: true, email: true, domain: true, source: true, stage: true, ownerId: true, score: true, version: true,
  title: true, size: true, industry: true, region: true,
} as const;

/** One lead by id, or null. */
export async function findLead(db: Database, id: number): Promise<LeadRecord | null> {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return null;
  return db.prisma.account.findUnique({ where: { id }, select: leadSelect });
}

/** The leads with any of these domains or emails (already lower-cased): how intake finds what to merge into. */
export async function leadsByContact(db: Database, domains: readonly string[], emails: readonly string[]): Promise<LeadRecord[]> {
  const or = [...(domains.length ? [{ domain: { in: [...domains] } }] : []), ...(emails.length ? [{ email: { in: [...emails] } }] : [])];
  if (or.length === 0) return [];
  return db.prisma.account.findMany({ where: { OR: or }, select: leadSelect, orderBy: { id: "asc" } });
}

/** Behaviour so far, per kind: how often and the points earned. */
export async function behaviourTotals(db: Database, accountId: number): Promise<BehaviourTotal[]> {
  const rows = await db.prisma.leadActivity.groupBy({ by: ["kind"], where: { accountId }, _count: { _all: true }, _sum: { points: true } });
  return rows.map((r) => ({ kind: r.kind, count: r._count._all, points: r._sum.points ?? 0 }));
}

/** How a versioned lead write ended: saved, the key was seen before (with its first result), or the lead changed meanwhile. */
export type LeadWrite = { kind: "saved" } | { kind: "duplicate"; result: unknown } | { kind: "conflict" };

/** Fields intake may change on an existing lead. */
export type LeadPatch = Partial<Pick<LeadRecord, "company" | "email" | "domain" | "source" | "title" | "size" | "industry" | "region">>;

/**
 * Updates a lead's facts and score, guarded by its version, with the delivery's idempotency key and
 * result in the same transaction: a replay or a lost race writes nothing.
 */
export async function updateLead(
  db: Database,
  change: { accountId: number; expectedVersion: number; patch: LeadPatch; score: number; at: Date; idempotency: { key: string; result: unknown } | null },
): Promise<LeadWrite> {
  const ops: P.PrismaPromise<unknown>[] = [
    db.prisma.account.update({
      where: { id: change.accountId, version: change.expectedVersion },
      data: { ...change.patch, score: change.score, lastActivityAt: change.at, version: change.expectedVersion + 1 },
      select: { id: true },
    }),
    ...(change.idempotency
      ? [db.prisma.processedDelivery.create({ data: { key: change.idempotency.key, result: JSON.stringify(change.idempotency.result), createdAt: change.at }, select: { key: true } })]
      : []),
  ];
  return write(db, ops, change.idempotency?.key ?? null);
}

/** Records one behaviour with its points and the lead's new score; the activity key makes a replay a no-op. */
export async function recordActivity(
  db: Database,
  activity: { accountId: number; expectedVersion: number; kind: string; points: number; score: number; key: string; at: Date; result: unknown },
): Promise<LeadWrite> {
  const ops: P.PrismaPromise<unknown>[] = [
    db.prisma.leadActivity.create({ data: { accountId: activity.accountId, kind: activity.kind, points: activity.points, key: activity.key, at: activity.at }, select: { id: true } }),
    db.prisma.account.update({
      where: { id: activity.accountId, version: activity.expectedVersion },
      data: { score: activity.score, lastActivityAt: activity.at, version: activity.expectedVersion + 1 },
      select: { id: true },
    }),
    db.prisma.processedDelivery.create({ data: { key: activity.key, result: JSON.stringify(activity.result), createdAt: activity.at }, select: { key: true } }),
  ];
  return write(db, ops, activity.key);
}

async function write(db: Database, ops: P.PrismaPromise<unknown>[], key: string | null): Promise<LeadWrite> {
  try {
    await db.prisma.$transaction(ops);
    return { kind: "saved" };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "P2002" && key !== null) {
      const first = await findDelivery(db, key);
      if (first !== undefined) return { kind: "duplicate", result: first };
    }
    if (code === "P2025" || code === "P2034" || code === "P2002") return { kind: "conflict" };
    throw error;
  }
}

/** A lead to create in a batch (CSV import). */
export interface NewLeadRow extends LeadProfile {
  readonly company: string;
  readonly email: string | null;
  readonly domain: string | null;
  readonly source: string | null;
  readonly score: number;
}

/**
 * Creates many leads with their `created` events in one transaction, a few queries for the whole batch
 * rather than a few per row. Returns the new ids in the order of `rows`.
 */
export async function createLeads(db: Database, rows: readonly NewLeadRow[], stage: string, actorId: number | null, platform: string, at: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  return db.prisma.$transaction(async (tx) => {
    const created = await tx.account.createManyAndReturn({
      data: rows.map((r) => ({ ...r, stage, stageEnteredAt: at, lastActivityAt: at, createdAt: at })),
      select: { id: true, email: true, domain: true },
    });
    // Match by contact rather than trust the order of RETURNING; the caller made each contact unique.
    const idOf = new Map(created.flatMap((c) => [[`d:${c.domain}`, c.id], [`e:${c.email}`, c.id]] as const));
    const ids = rows.map((r) => idOf.get(r.domain ? `d:${r.domain}` : `e:${r.email}`)!);
    await tx.stageEvent.createMany({ data: ids.map((accountId) => ({ accountId, kind: "created", toStage: stage, actorId, at, platform })) });
    return ids;
  });
}

/** An account waiting in the public pool (公海): in a stage reps are assigned in, with nobody on it. */
export interface PoolEntry {
  readonly id: number;
  readonly company: string;
  readonly stage: string;
  readonly score: number;
  readonly stageEnteredAt: Date;
}

/** The pool's accounts in these stages, longest waiting first, and how many there are in all. */
export async function poolAccounts(db: Database, stages: readonly string[], take: number): Promise<{ entries: PoolEntry[]; total: number }> {
  const where = { stage: { in: [...stages] }, ownerId: null };
  const [entries, total] = await Promise.all([
    db.prisma.account.findMany({ where, select: { id: true, company: true, stage: true, score: true, stageEnteredAt: true }, orderBy: [{ stageEnteredAt: "asc" }, { id: "asc" }], take }),
    db.prisma.account.count({ where }),
  ]);
  return { entries, total };
}

/** How many accounts in these stages a member owns: a rep's unaccepted MQLs, for the claim limit. */
export async function countOwned(db: Database, ownerId: number, stages: readonly string[]): Promise<number> {
  return db.prisma.account.count({ where: { ownerId, stage: { in: [...stages] } } });
}

/** Every time the account was taken from a rep who let it wait (automations' `released` events): who, and when. */
export async function releasesOf(db: Database, accountId: number): Promise<{ repId: number; at: Date }[]> {
  const rows = await db.prisma.stageEvent.findMany({ where: { accountId, kind: "released" }, select: { at: true, data: true }, orderBy: { id: "asc" } });
  return rows.flatMap((r) => {
    const repId = (JSON.parse(r.data ?? "{}") as { repId?: unknown }).repId;
    return typeof repId === "number" ? [{ repId, at: r.at }] : [];
  });
}
