import type { Database } from "./database.js";

/** What a claimed delivery's row holds; a service's own idempotency rows hold its first result instead. */
const CLAIMED = JSON.stringify("claimed");

/**
 * Claims a platform delivery (a WeCom MsgId, say) before acting on it: true for the first claim of `key`,
 * false for a repeat. The primary key decides, so two replicas receiving the same push cannot both win.
 */
export async function claimDelivery(db: Database, key: string, at: Date): Promise<boolean> {
  try {
    await db.prisma.processedDelivery.create({ data: { key, result: CLAIMED, createdAt: at }, select: { key: true } });
    return true;
  } catch (error) {
    // P2002: unique constraint. Both generated clients raise it with this code, whichever error class they use.
    if ((error as { code?: unknown }).code === "P2002") return false;
    throw error;
  }
}
