import type { OutgoingMessage } from "../commands/reply.js";
import type { Database } from "./database.js";
import { outboxRows } from "./outbox.js";

/**
 * Queues messages once for `key`, across restarts and replicas: a row keyed `notice:<key>` goes in with
 * the messages in one transaction, and a second attempt hits its primary key and queues nothing. True when
 * this call queued them.
 */
export async function enqueueOnce(db: Database, key: string, messages: readonly OutgoingMessage[], at: Date): Promise<boolean> {
  try {
    await db.prisma.$transaction([
      db.prisma.processedDelivery.create({ data: { key: `notice:${key}`, result: JSON.stringify("sent"), createdAt: at }, select: { key: true } }),
      ...outboxRows(db, messages, at),
    ]);
    return true;
  } catch (error) {
    // P2002: the notice was queued before, by this process or another.
    if ((error as { code?: unknown } | null)?.code === "P2002") return false;
    throw error;
  }
}
