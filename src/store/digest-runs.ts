import type { OutgoingMessage } from "../commands/reply.js";
import type { Database } from "./database.js";
import { outboxRows } from "./outbox.js";

/** A team's digest for one business day: who claimed it, and when it was queued for delivery. */
export interface DigestRunRecord {
  readonly teamKey: string;
  readonly day: string;
  readonly claimedBy: string;
  readonly claimedAt: Date;
  readonly sentAt: Date | null;
}

const select = { teamKey: true, day: true, claimedBy: true, claimedAt: true, sentAt: true } as const;

/** Whether a Prisma error is a unique-constraint violation; both generated clients raise P2002 for it. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}

/**
 * Claims the digest of `teamKey` for `day`: true for the one worker whose row went in, false for every
 * other. The unique (teamKey, day) decides, so replicas racing on one database cannot both win. With
 * `leaseMs`, a claim that was never marked sent and is older than the lease is taken over: its worker
 * most likely died between claiming and queueing, and the day's digest would otherwise be lost.
 */
export async function claimDigest(db: Database, teamKey: string, day: string, workerId: string, at: Date, options: { leaseMs?: number } = {}): Promise<boolean> {
  try {
    await db.prisma.digestRun.create({ data: { teamKey, day, claimedBy: workerId, claimedAt: at }, select: { id: true } });
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  if (options.leaseMs === undefined) return false;
  const { count } = await db.prisma.digestRun.updateMany({
    where: { teamKey, day, sentAt: null, claimedAt: { lt: new Date(at.getTime() - options.leaseMs) } },
    data: { claimedBy: workerId, claimedAt: at },
  });
  return count === 1;
}

/**
 * Marks a claimed digest sent, queueing `messages` (the digest itself) in the same transaction, so the
 * digest is in the outbox exactly when its run says it was sent. With `workerId`, only that worker's
 * claim is marked: a worker whose claim was taken over queues nothing. False when nothing was marked.
 */
export async function markDigestSent(
  db: Database, teamKey: string, day: string, at: Date, options: { workerId?: string; messages?: readonly OutgoingMessage[] } = {},
): Promise<boolean> {
  const where = { teamKey_day: { teamKey, day }, sentAt: null, ...(options.workerId !== undefined ? { claimedBy: options.workerId } : {}) };
  try {
    await db.prisma.$transaction([
      db.prisma.digestRun.update({ where, data: { sentAt: at }, select: { id: true } }),
      ...outboxRows(db, options.messages ?? [], at),
    ]);
    if (options.messages?.length) db.queued.notify();
    return true;
  } catch (error) {
    // P2025: no unsent claim of ours to mark; the batch rolled back, so nothing was queued either.
    if ((error as { code?: unknown } | null)?.code === "P2025") return false;
    throw error;
  }
}

/** The digest run of a team on a day, or null when nobody has claimed it. */
export async function digestRun(db: Database, teamKey: string, day: string): Promise<DigestRunRecord | null> {
  return db.prisma.digestRun.findUnique({ where: { teamKey_day: { teamKey, day } }, select });
}

/** Every digest run of a day, to skip the teams that are done without trying to claim them again. */
export async function digestRunsOn(db: Database, day: string): Promise<DigestRunRecord[]> {
  return db.prisma.digestRun.findMany({ where: { day }, select, orderBy: { teamKey: "asc" } });
}
