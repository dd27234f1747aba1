import { loadEnv, type Env } from "./config/env.js";
import { calendarResolver } from "./config/calendar.js";
import { loadPlaybook } from "./config/playbook.js";
import { TeamCalendarBook } from "./services/calendars.js";
import type { ServiceContext } from "./services/context.js";
import { migrate, openDatabase } from "./store/database.js";

/** The teams' calendars of an environment (FUNNEL_CALENDAR, TZ), before the teams' settings are read. */
export function teamCalendars(env: Pick<Env, "FUNNEL_CALENDAR" | "TZ">, now: Date): TeamCalendarBook {
  return new TeamCalendarBook(calendarResolver(env).resolve, now);
}

/**
 * The directories of the platforms whose credentials are set: Slack's channels and users, WeCom's departments
 * and members, for imports, mentions and matching people by email. Each platform's client is loaded only
 * when it is configured (Bolt and its web client keep ~25 MB resident), so the CLI and a playground do not carry them.
 */
export async function directoriesOf(env: Pick<Env, "SLACK_BOT_TOKEN" | "SLACK_API_URL" | "WECOM_CORP_ID" | "WECOM_AGENT_ID" | "WECOM_SECRET" | "WECOM_API_URL">): Promise<ServiceContext["directories"]> {
  const directories: NonNullable<ServiceContext["directories"]> = {};
  if (env.SLACK_BOT_TOKEN) {
    const [{ webApi }, { slackClientOptions }, { slackDirectory }] = await Promise.all([
      import("@slack/bolt"), import("./platforms/slack/app.js"), import("./platforms/slack/directory.js"),
    ]);
    directories.slack = slackDirectory(new webApi.WebClient(env.SLACK_BOT_TOKEN, slackClientOptions(env.SLACK_API_URL)));
  }
  if (env.WECOM_CORP_ID && env.WECOM_AGENT_ID && env.WECOM_SECRET) {
    const [{ WecomClient }, { wecomDirectory }] = await Promise.all([import("./platforms/wecom/client.js"), import("./platforms/wecom/directory.js")]);
    const client = new WecomClient({ corpId: env.WECOM_CORP_ID, agentId: Number(env.WECOM_AGENT_ID), secret: env.WECOM_SECRET, ...(env.WECOM_API_URL ? { apiUrl: env.WECOM_API_URL } : {}) });
    directories.wecom = wecomDirectory(client);
  }
  return directories;
}

/** The services' context for an environment, with the database migrated; `close` releases it. */
export async function openContext(env: Env = loadEnv(), clock: () => Date = () => new Date()): Promise<{ ctx: ServiceContext; env: Env; close: () => Promise<void> }> {
  const playbook = loadPlaybook(env.FUNNEL_PLAYBOOK);
  const calendars = teamCalendars(env, clock());
  const db = await openDatabase(env.DATABASE_URL, { waitMs: env.DATABASE_WAIT_MS });
  try {
    await migrate(db, env.DATABASE_URL);
    await calendars.refresh({ db }, clock());
  } catch (error) {
    await db.close();
    throw error;
  }
  // The default calendar is read through the book, so a refresh (a new year's rules) reaches it too.
  const ctx: ServiceContext = { db, playbook, get calendar() { return calendars.default; }, calendars, clock, directories: await directoriesOf(env) };
  return { ctx, env, close: () => db.close() };
}
