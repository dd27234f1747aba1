import type { OutgoingMessage } from "../commands/reply.js";
import type { AccessRequestFacts, AccessStatus } from "../domain/access.js";
import type { Database } from "./database.js";
import { outboxData } from "./outbox.js";
import { isUniqueViolation } from "./sql.js";

/** A request for access, as services read it. */
export interface AccessRequest extends AccessRequestFacts {
  readonly platform: string;
  readonly externalId: string;
  readonly displayName: string;
  readonly locale: "en" | "zh-CN";
}

/** Who asked: their identity on the platform they used, the name it gave, and the language to answer in. */
export interface AccessAsker {
  readonly platform: string;
  readonly externalId: string;
  readonly displayName: string;
  readonly locale: "en" | "zh-CN";
}

const SELECT = {
  id: true, platform: true, externalId: true, displayName: true, locale: true, status: true, requestedAt: true, decidedAt: true,
  decidedById: true,
} as const;

type Row = { id: number; platform: string; externalId: string; displayName: string; locale: string; status: string; requestedAt: Date; decidedAt: Date | null; decidedById: number | null };

async function toRequest(db: Database, row: Row): Promise<AccessRequest> {
  const by = row.decidedById === null ? null : await db.prisma.member.findUnique({ where: { id: row.decidedById }, select: { displayName: true } });
  return {
    id: row.id, platform: row.platform, externalId: row.externalId, displayName: row.displayName,
    locale: row.locale === "zh-CN" ? "zh-CN" : "en", status: row.status as AccessStatus,
    requestedAt: row.requestedAt, decidedAt: row.decidedAt, decidedBy: by?.displayName ?? null,
  };
}

/** The request with this number, or this person's request; null when there is none. */
export async function findAccessRequest(db: Database, key: { id: number } | { platform: string; externalId: string }): Promise<AccessRequest | null> {
  if ("id" in key && !(Number.isSafeInteger(key.id) && key.id > 0 && key.id <= 2_147_483_647)) return null;
  const row = await db.prisma.accessRequest.findUnique({
    where: "id" in key ? { id: key.id } : { platform_externalId: { platform: key.platform, externalId: key.externalId } },
    select: SELECT,
  });
  return row ? toRequest(db, row) : null;
}

/**
 * Opens this person's request (new, or re-opened from `expected`, the row as the caller read it) and queues the
 * admins' cards with it, in one transaction. False when someone else opened or changed it first (a second ask
 * at the same moment): nothing is written and the admins are not asked twice.
 */
export async function openAccessRequest(
  db: Database, asker: AccessAsker, expected: AccessRequestFacts | null, at: Date, cards: (requestId: number) => readonly OutgoingMessage[],
): Promise<number | null> {
  try {
    const id = await db.prisma.$transaction(async (tx) => {
      let id: number;
      const data = { displayName: asker.displayName, locale: asker.locale, status: "pending", requestedAt: at, decidedById: null, decidedAt: null };
      if (expected === null) {
        id = (await tx.accessRequest.create({ data: { ...data, platform: asker.platform, externalId: asker.externalId }, select: { id: true } })).id;
      } else {
        const { count } = await tx.accessRequest.updateMany({ where: { id: expected.id, status: expected.status, requestedAt: expected.requestedAt }, data });
        if (count !== 1) return null;
        id = expected.id;
      }
      const messages = cards(id);
      if (messages.length > 0) await tx.outboxMessage.createMany({ data: outboxData(messages, at) });
      return id;
    });
    if (id !== null) db.queued.notify();
    return id;
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/**
 * Records a pending request's answer and queues the message that tells the person, in one transaction; false
 * when it was no longer pending (another admin answered first), and then nothing is written.
 */
export async function closeAccessRequest(
  db: Database, id: number, status: Exclude<AccessStatus, "pending">, decidedById: number, at: Date, messages: readonly OutgoingMessage[],
): Promise<boolean> {
  const done = await db.prisma.$transaction(async (tx) => {
    const { count } = await tx.accessRequest.updateMany({ where: { id, status: "pending" }, data: { status, decidedById, decidedAt: at } });
    if (count !== 1) return false;
    if (messages.length > 0) await tx.outboxMessage.createMany({ data: outboxData(messages, at) });
    return true;
  });
  if (done) db.queued.notify();
  return done;
}
