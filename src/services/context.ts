import type { Playbook } from "../domain/playbook.js";
import type { BusinessCalendar } from "../domain/calendar.js";
import type { Database } from "../store/database.js";
import type { MentionReader } from "../commands/member-ref.js";
import type { TeamCalendarBook } from "./calendars.js";
import type { Directory } from "./directory.js";
import type { OpenedChange } from "./act-on-account.js";

/** What every use case needs: the database, the funnel, the business calendars and a clock. */
export interface ServiceContext {
  readonly db: Database;
  readonly playbook: Playbook;
  /** The default calendar: for teams without their own, and what no team owns (dates typed in commands, cards). */
  readonly calendar: BusinessCalendar;
  /** Each team's calendar: digests go out on their team's days, and an SLA counts the days of the stage's owning team. */
  readonly calendars: TeamCalendarBook;
  /** The only clock the services read; tests pass a fixed one. */
  readonly clock: () => Date;
  /** The platforms' directories, where their tokens are configured: imports, and names for people added by mention. */
  readonly directories?: Partial<Record<"slack" | "wecom", Directory>>;
}

/** Where a request came from, for the audit trail, and its idempotency key if the platform gave one. */
export interface RequestMeta {
  readonly platform: "slack" | "wecom" | "cli" | "playground" | "webhook" | "system";
  readonly key?: string | null;
  /** How the platform names people (a Slack mention, a WeCom UserID); a handle when unset. */
  readonly mentions?: MentionReader;
  /** The line is a submitted form's (a modal, a dialog): refusals speak of its fields, not of command flags. */
  readonly form?: boolean;
  /** What the statement that read the sender read for the change they asked (`openChange`): used by that change only. */
  readonly opened?: OpenedChange;
}
