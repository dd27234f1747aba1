import { loadEnv, type Env } from "./config/env.js";
import { loadCalendar, loadPlaybook } from "./config/playbook.js";
import type { ServiceContext } from "./services/context.js";
import { migrate, openDatabase } from "./store/database.js";

/** The services' context for an environment, with the database migrated; `close` releases it. */
export async function openContext(env: Env = loadEnv(), clock: () => Date = () => new Date()): Promise<{ ctx: ServiceContext; env: Env; close: () => Promise<void> }> {
  const playbook = loadPlaybook(env.FUNNEL_PLAYBOOK);
  const calendar = loadCalendar(env.FUNNEL_CALENDAR, env.TZ);
  const db = await openDatabase(env.DATABASE_URL, { waitMs: env.DATABASE_WAIT_MS });
  try {
    await migrate(db, env.DATABASE_URL);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { ctx: { db, playbook, calendar, clock }, env, close: () => db.close() };
}
