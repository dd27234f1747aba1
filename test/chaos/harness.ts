/**
 * The chaos suite's shared rig: a real bot (Slack and WeCom) on a real database, fake Slack and WeCom APIs
 * on 127.0.0.1, members mapped on both platforms, MQLs to act on, and the summary every scenario records.
 * `npm test` runs the fast scenarios at a small scale; `npm run test:chaos` (FUNNELBOT_CHAOS=full) runs all
 * of them at full scale and prints the summary table.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { expect } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { createLead } from "../../src/services/create-lead.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { FakeSlack } from "../support/fake-slack.js";
import { FakeWecom, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";
import type { ServerProcess } from "../support/processes.js";
import { RESULTS, type ChaosResult } from "./summary-table.js";

/** True under `npm run test:chaos`: every scenario at its full size. */
export const FULL = process.env.FUNNELBOT_CHAOS === "full";
/** `small` in `npm test`, `full` under `npm run test:chaos`. */
export const scale = (small: number, full: number): number => (FULL ? full : small);

export const SECRET = "chaos-signing-secret-0123456789";
export const FORM = "application/x-www-form-urlencoded";
/** Signs the lead webhooks (/hooks/leads, /hooks/activity). */
export const HOOK_SECRET = "chaos-hook-secret-0123456789abcdef";
/** The playground's per-start token in the rig. */
export const PLAYGROUND_TOKEN = "c0ffee".repeat(6) + "c0ff";
/** A lead the rig holds from the start, for activity webhooks to score. */
export const ACTIVITY_LEAD = { company: "Chaos Activity Ltd", email: "ops@chaos-activity.example" } as const;
export const APP: WecomTestApp = {
  corpId: "wwchaos0000000001", agentId: 1000002, secret: "chaos-app-secret", token: "ChaosToken123", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
};
/** Handles of the fixture's members and their ids on Slack and WeCom. */
export const SLACK_IDS: Record<string, string> = { admin: "U_ADMIN", mia: "U_MIA", sam: "U_SAM", alice: "U_ALICE", bob: "U_BOB", chen: "U_CHEN", carl: "U_CARL" };
export const WECOM_IDS: Record<string, string> = { admin: "WAda", mia: "WMia", sam: "WSam", alice: "WAlice", bob: "WBob", chen: "WChen", carl: "WCarl" };

/** A running rig; `close` stops everything it started. */
export interface Rig {
  readonly f: Fixture;
  readonly slack: FakeSlack;
  readonly wecom: FakeWecom;
  readonly bot: RunningBot;
  close(): Promise<void>;
}

/** Maps the fixture's members onto Slack and WeCom, and the sales and marketing teams onto their channels. */
export async function mapWorkspace(f: Fixture, options: { wecomOnly?: boolean } = {}): Promise<void> {
  for (const [handle, id] of Object.entries(WECOM_IDS)) await updateMember(f.db, handle, { wecomUserId: id, ...(options.wecomOnly ? {} : { slackUserId: SLACK_IDS[handle]! }) });
  await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: options.wecomOnly ? null : "C_SALES", wecomChatId: "wrSales" });
  await upsertTeam(f.db, { key: "marketing", name: "Marketing", slackChannel: options.wecomOnly ? null : "C_MKT", wecomChatId: "wrMarketing" });
}

/** Starts the rig on the database at `url`. Messages to members go to Slack (members have both ids). */
export async function startRig(url: string, options: { wecomOnly?: boolean; outboxIntervalMs?: number } = {}): Promise<Rig> {
  const f = await openFixture(url);
  await mapWorkspace(f, options);
  const slack = new FakeSlack();
  await slack.start();
  const wecom = new FakeWecom(APP);
  await wecom.start();
  const bot = await startBot(f.ctx, {
    port: 0, host: "127.0.0.1", scheduler: false, outboxIntervalMs: options.outboxIntervalMs ?? 25,
    slack: { botToken: "xoxb-chaos", signingSecret: SECRET, apiUrl: slack.apiUrl }, wecom: { ...APP, apiUrl: wecom.url },
    hookSecret: HOOK_SECRET, playground: { token: PLAYGROUND_TOKEN },
    // CHAOS_LOG=error (or warn, info) shows the bot's own log on stderr when a scenario fails.
  }, pino({ level: process.env.CHAOS_LOG ?? "silent" }, pino.destination(2)));
  const lead = await createLead(f.ctx, f.members.mia!, { company: ACTIVITY_LEAD.company, email: ACTIVITY_LEAD.email, domain: null, source: "web", amount: null, region: null, industry: null }, { platform: "cli" });
  if (!lead.ok) throw new Error(`the rig could not create its activity lead: ${lead.error.code}`);
  return {
    f, slack, wecom, bot,
    close: async () => {
      await bot.close();
      await slack.stop();
      await wecom.stop();
      await f.close();
    },
  };
}

/** `count` MQLs owned by `owner`, inserted directly with the event that made each one (bench-style setup). */
export async function seedMqls(f: Fixture, count: number, owner = "alice"): Promise<number[]> {
  const now = f.clock.read();
  const first = (await f.db.prisma.account.aggregate({ _max: { id: true } }))._max.id ?? 0;
  await f.db.prisma.account.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      company: `Chaos ${first + i + 1} Ltd`, domain: `chaos${first + i + 1}.example`, stage: "MQL", stageEnteredAt: now, lastActivityAt: now, ownerId: f.members[owner]!.id,
    })),
  });
  const ids = (await f.db.prisma.account.findMany({ where: { id: { gt: first } }, select: { id: true }, orderBy: { id: "asc" } })).map((a) => a.id);
  await f.db.prisma.stageEvent.createMany({ data: ids.map((accountId) => ({ accountId, kind: "transition", fromStage: "LEAD", toStage: "MQL", at: now, platform: "cli" })) });
  return ids;
}

/** The Slack ts of the card `postCards` gives an account. */
export const cardTs = (accountId: number): string => `card.${accountId}`;

/** A live Slack card in the sales channel for each account, as if its MQL card had been posted: a move updates it in place. */
export async function postCards(f: Pick<Fixture, "db">, ids: readonly number[]): Promise<void> {
  const now = new Date();
  await f.db.prisma.postedCard.createMany({ data: ids.map((accountId) => ({ accountId, platform: "slack", channel: "C_SALES", ref: cardTs(accountId), locale: "en", createdAt: now })) });
}

/** The database, fake Slack and server processes of a scenario that runs the real server in child processes. */
export interface ProcessRig {
  readonly f: Fixture;
  readonly slack: FakeSlack;
  /** Servers the scenario started; `close` kills any still running. */
  readonly servers: ServerProcess[];
  close(): Promise<void>;
}

/**
 * Opens the database at `url` with the workspace mapped and the clock at now (so the servers' automations
 * find nothing overdue whatever day the suite runs), and a fake Slack that answers card updates after
 * `cardUpdateDelayMs`: slow updates keep a backlog in the outbox for the scenario to act on.
 */
export async function openProcessRig(url: string, options: { cardUpdateDelayMs: number }): Promise<ProcessRig> {
  const f = await openFixture(url);
  await mapWorkspace(f);
  f.clock.set(new Date());
  const slack = new FakeSlack();
  await slack.start();
  slack.delayWhen = (method) => (method === "chat.update" ? options.cardUpdateDelayMs : 0);
  const servers: ServerProcess[] = [];
  return {
    f, slack, servers,
    close: async () => {
      for (const server of servers) await server.kill();
      await slack.stop();
      await f.close();
    },
  };
}

/** Settings a developer's shell may carry that would change what the server runs; blank counts as unset. */
const UNSET = Object.fromEntries(
  ["SLACK_APP_TOKEN", "WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY", "FUNNEL_PLAYBOOK", "FUNNEL_CALENDAR", "FUNNEL_HOOK_SECRET"].map((k) => [k, ""]),
);

/**
 * The environment of the real server (`src/main.ts`) in a child process: Slack in HTTP mode against the fake,
 * no WeCom, no playground, and digests late in the day unless `extra` says otherwise.
 */
export function serverEnv(url: string, slack: FakeSlack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...UNSET, DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-chaos", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PLAYGROUND: "0", LOG_LEVEL: "error",
    FUNNEL_DIGEST_TIME: "23:59", ...extra,
  };
}

/**
 * What reached the fake Slack from the outbox, counted per distinct message: card updates by channel and
 * ts, posts by channel and text, late answers by response_url. Any count above 1 is a message sent twice.
 */
export function slackDeliveries(slack: FakeSlack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of slack.calls) {
    const key =
      call.method === "chat.update" ? `update ${String(call.body.channel)} ${String(call.body.ts)}`
      : call.method === "chat.postMessage" ? `post ${String(call.body.channel)} ${String(call.body.text)}`
      : call.method === "response_url" ? `response ${call.path}`
      : null;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Waits (polling, bounded by `timeoutMs`) until `done` holds; false if it never did, so the caller can record what it found. */
export async function waitUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Accounts whose stage is not the `toStage` of their last transition: should always be none. */
export async function inconsistentAccounts(f: Pick<Fixture, "db">): Promise<number[]> {
  const accounts = await f.db.prisma.account.findMany({ select: { id: true, stage: true } });
  const events = await f.db.prisma.stageEvent.findMany({ where: { kind: "transition" }, select: { accountId: true, toStage: true, id: true }, orderBy: { id: "asc" } });
  const last = new Map<number, string | null>();
  for (const e of events) last.set(e.accountId, e.toStage);
  return accounts.filter((a) => last.has(a.id) && last.get(a.id) !== a.stage).map((a) => a.id);
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  }));
  return out;
}

/** Records a scenario's outcome for the summary table (printed at the end of `npm run test:chaos`). */
export function record(result: Omit<ChaosResult, "test">): void {
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  // The test's name ties the line to how the test ended: a scenario that fails after recording is marked too.
  appendFileSync(RESULTS, `${JSON.stringify({ ...result, test: expect.getState().currentTestName })}\n`);
}
