import type { Database } from "./database.js";

/** True when the database answers a trivial query. */
export async function ping(db: Database): Promise<boolean> {
  try {
    await db.prisma.$queryRawUnsafe("SELECT 1");
    return true;
  } catch {
    return false;
  }
}
