import type { Playbook } from "../domain/playbook.js";
import type { BusinessCalendar } from "../domain/calendar.js";
import type { Database } from "../store/database.js";

/** What every use case needs: the database, the funnel, the business calendar and a clock. */
export interface ServiceContext {
  readonly db: Database;
  readonly playbook: Playbook;
  readonly calendar: BusinessCalendar;
  /** The only clock the services read; tests pass a fixed one. */
  readonly clock: () => Date;
}

/** Where a request came from, for the audit trail, and its idempotency key if the platform gave one. */
export interface RequestMeta {
  readonly platform: "slack" | "wecom" | "cli" | "playground" | "webhook" | "system";
  readonly key?: string | null;
}
