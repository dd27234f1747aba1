import type { Database } from "./database.js";
import { isUniqueViolation, sql } from "./sql.js";

/** What a claimed delivery's row holds; a service's own idempotency rows hold its first result instead. */
const CLAIMED = JSON.stringify("claimed");

/**
 * Claims a platform delivery (a WeCom MsgId, say) before acting on it: true for the first claim of `key`,
 * false for a repeat. The primary key decides, so two replicas receiving the same push cannot both win.
 */
export async function claimDelivery(db: Database, key: string, at: Date): Promise<boolean> {
  try {
    // On the driver (driver.ts): every WeCom text command claims its MsgId first.
    await db.driver.run(sql`INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt") VALUES (${key}, ${CLAIMED}, ${at})`);
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
