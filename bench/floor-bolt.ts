/**
 * The floor of the commands benchmark: a bare Bolt app (as bench/bare-bolt.ts) that does the same reads and
 * writes as the bot's `/lead accept`, straight on the driver, and the same one card update per accept to the
 * (fake) Slack. What an accept cannot do with less: member lookup, account and owner read, idempotency key,
 * versioned update, event, outbox row and delivery key in one atomic write; then the card update, the
 * posted card retired and the outbox row marked sent. No playbook, no rendering, no permissions beyond
 * "the owner accepts an MQL": the bot's distance from this is what its own layers cost. Its outbox row is
 * written already claimed (by "floor"): the bot shares the database in the benchmark, and its worker used to
 * claim the floor's rows still pending and update their cards too (a quarter of what it delivered in a traced
 * run), which cost the bot CPU during the floor's turns and counted in its figures.
 *
 * SQLite: better-sqlite3, statements prepared once, WAL, synchronous=NORMAL, one transaction per accept.
 * PostgreSQL: pg, named (server-prepared) statements, two round trips per accept: one read, one write
 * (a single statement of CTEs, atomic on its own), and two for the delivery.
 */
import { createServer } from "node:http";
import { App, HTTPReceiver, LogLevel, webApi } from "@slack/bolt";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { providerOf, sqliteFileFromUrl } from "../src/config/database-url.js";

/** What an accept read: the actor, the account, and the first answer to this delivery if it is a repeat. */
interface Read {
  readonly actorId: number;
  readonly actorName: string;
  readonly accountId: number;
  readonly company: string;
  readonly stage: string;
  readonly ownerId: number | null;
  readonly version: number;
  readonly enteredAt: string;
  readonly done: string | null;
}

/** The driver-specific half: one read, one atomic write, and the delivery's read and write. */
interface Store {
  read(slackUserId: string, accountId: number, key: string): Promise<Read | null>;
  /** The outbox row's id, or null when the version moved (someone else acted first). */
  write(read: Read, key: string, result: string, payload: string, at: string): Promise<number | null>;
  liveCards(accountId: number): Promise<{ id: number; channel: string; ref: string }[]>;
  delivered(cardIds: readonly number[], outboxId: number, at: string): Promise<void>;
}

// Both schemas store times as the bot's Prisma does: ISO text on SQLite, timestamp(3) in UTC on PostgreSQL.
const sqliteTime = (date: Date) => date.toISOString().replace("Z", "+00:00");
const pgTime = (date: Date) => date.toISOString().replace("Z", "");

function sqliteStore(file: string): Store {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  const member = db.prepare<[string], { id: number; displayName: string }>(`SELECT m."id", m."displayName" FROM "Member" m JOIN "MemberIdentity" i ON i."memberId" = m."id" WHERE i."platform" = 'slack' AND i."externalId" = ?`);
  const account = db.prepare<[number], { id: number; company: string; stage: string; ownerId: number | null; version: number; stageEnteredAt: string; ownerName: string | null }>(
    `SELECT a."id", a."company", a."stage", a."ownerId", a."version", a."stageEnteredAt", m."displayName" AS "ownerName" FROM "Account" a LEFT JOIN "Member" m ON m."id" = a."ownerId" WHERE a."id" = ?`);
  const delivery = db.prepare<[string], { result: string }>(`SELECT "result" FROM "ProcessedDelivery" WHERE "key" = ?`);
  const update = db.prepare(`UPDATE "Account" SET "stage" = 'SAL', "stageEnteredAt" = ?, "lastActivityAt" = ?, "version" = "version" + 1 WHERE "id" = ? AND "version" = ?`);
  const event = db.prepare(`INSERT INTO "StageEvent" ("accountId", "kind", "fromStage", "toStage", "actorId", "at", "platform", "secondsInStage") VALUES (?, 'transition', 'MQL', 'SAL', ?, ?, 'slack', ?)`);
  const outbox = db.prepare<[string, string, string, string, string], { id: number }>(
    `INSERT INTO "OutboxMessage" ("targetKind", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "claimedBy", "claimedAt") VALUES ('cards', ?, ?, 'pending', 0, ?, ?, 'floor', ?) RETURNING "id"`);
  const key = db.prepare(`INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt") VALUES (?, ?, ?)`);
  const cards = db.prepare<[number], { id: number; channel: string; ref: string }>(`SELECT "id", "channel", "ref" FROM "PostedCard" WHERE "accountId" = ? AND "platform" = 'slack' AND "live" = 1 ORDER BY "id"`);
  const retire = db.prepare(`UPDATE "PostedCard" SET "live" = 0 WHERE "id" = ?`);
  const sent = db.prepare(`UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ? WHERE "id" = ?`);
  const read = db.transaction((slackUserId: string, accountId: number, deliveryKey: string): Read | null => {
    const actor = member.get(slackUserId);
    const row = account.get(accountId);
    if (!actor || !row) return null;
    return {
      actorId: actor.id, actorName: actor.displayName, accountId: row.id, company: row.company, stage: row.stage, ownerId: row.ownerId,
      version: row.version, enteredAt: row.stageEnteredAt, done: delivery.get(deliveryKey)?.result ?? null,
    };
  });
  const write = db.transaction((r: Read, deliveryKey: string, result: string, payload: string, at: string): number | null => {
    if (update.run(at, at, r.accountId, r.version).changes !== 1) return null;
    event.run(r.accountId, r.actorId, at, Math.max(0, Math.round((Date.parse(at) - Date.parse(r.enteredAt)) / 1000)));
    const { id } = outbox.get(String(r.accountId), payload, at, at, at)!;
    key.run(deliveryKey, result, at);
    return id;
  });
  const delivered = db.transaction((cardIds: readonly number[], outboxId: number, at: string) => {
    for (const id of cardIds) retire.run(id);
    sent.run(at, outboxId);
  });
  return {
    read: async (slackUserId, accountId, deliveryKey) => read(slackUserId, accountId, deliveryKey),
    write: async (r, deliveryKey, result, payload, at) => write(r, deliveryKey, result, payload, at),
    liveCards: async (accountId) => cards.all(accountId),
    delivered: async (cardIds, outboxId, at) => delivered(cardIds, outboxId, at),
  };
}

function postgresStore(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const READ = `
    SELECT m."id" AS "actorId", m."displayName" AS "actorName", a."id" AS "accountId", a."company", a."stage", a."ownerId", a."version",
      a."stageEnteredAt" AS "enteredAt", (SELECT d."result" FROM "ProcessedDelivery" d WHERE d."key" = $3) AS "done"
    FROM "Member" m JOIN "MemberIdentity" i ON i."memberId" = m."id", "Account" a WHERE i."platform" = 'slack' AND i."externalId" = $1 AND a."id" = $2`;
  // One statement: the update, and only if it matched, the event, the outbox row and the delivery key.
  const WRITE = `
    WITH upd AS (
      UPDATE "Account" SET "stage" = 'SAL', "stageEnteredAt" = $1::timestamp(3), "lastActivityAt" = $1::timestamp(3), "version" = "version" + 1
      WHERE "id" = $2::int AND "version" = $3::int RETURNING "id"
    ), ev AS (
      INSERT INTO "StageEvent" ("accountId", "kind", "fromStage", "toStage", "actorId", "at", "platform", "secondsInStage")
      SELECT "id", 'transition', 'MQL', 'SAL', $4::int, $1::timestamp(3), 'slack', $5::int FROM upd
    ), pd AS (
      INSERT INTO "ProcessedDelivery" ("key", "result", "createdAt") SELECT $6::text, $7::text, $1::timestamp(3) FROM upd
    )
    INSERT INTO "OutboxMessage" ("targetKind", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "claimedBy", "claimedAt")
    SELECT 'cards', "id"::text, $8::text, 'pending', 0, $1::timestamp(3), $1::timestamp(3), 'floor', $1::timestamp(3) FROM upd RETURNING "id"`;
  const CARDS = `SELECT "id", "channel", "ref" FROM "PostedCard" WHERE "accountId" = $1 AND "platform" = 'slack' AND "live" = true ORDER BY "id"`;
  const DELIVERED = `
    WITH retired AS (UPDATE "PostedCard" SET "live" = false WHERE "id" = ANY($1::int[]))
    UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = $2::timestamp(3) WHERE "id" = $3::int`;
  return {
    read: async (slackUserId, accountId, key) => {
      const { rows } = await pool.query<Omit<Read, "enteredAt"> & { enteredAt: Date }>({ name: "floor-read", text: READ, values: [slackUserId, accountId, key] });
      const row = rows[0];
      return row ? { ...row, enteredAt: row.enteredAt.toISOString() } : null;
    },
    write: async (r, key, result, payload, at) => {
      const seconds = Math.max(0, Math.round((Date.parse(`${at}Z`) - Date.parse(r.enteredAt)) / 1000));
      const { rows } = await pool.query<{ id: number }>({ name: "floor-write", text: WRITE, values: [at, r.accountId, r.version, r.actorId, seconds, key, result, payload] });
      return rows[0]?.id ?? null;
    },
    liveCards: async (accountId) => (await pool.query<{ id: number; channel: string; ref: string }>({ name: "floor-cards", text: CARDS, values: [accountId] })).rows,
    delivered: async (cardIds, outboxId, at) => {
      await pool.query({ name: "floor-delivered", text: DELIVERED, values: [cardIds, at, outboxId] });
    },
  };
}

const url = process.env.DATABASE_URL;
const postgres = providerOf(url) === "postgresql";
const store = postgres ? postgresStore(url!) : sqliteStore(sqliteFileFromUrl(url));
const time = postgres ? pgTime : sqliteTime;

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "", endpoints: "/slack/events" });
const apiUrl = process.env.SLACK_API_URL;
const app = new App({ token: "xoxb-floor", receiver, logLevel: LogLevel.ERROR, clientOptions: apiUrl ? { slackApiUrl: apiUrl } : {} });
const client = new webApi.WebClient("xoxb-floor", { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 } });

/** The card update the bot's outbox makes for an accept: every live copy updated, retired, the row marked sent. */
async function deliver(accountId: number, outboxId: number, text: string): Promise<void> {
  const cards = await store.liveCards(accountId);
  for (const card of cards) await client.chat.update({ channel: card.channel, ts: card.ref, text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] });
  await store.delivered(cards.map((c) => c.id), outboxId, time(new Date()));
}

app.command(/.*/, async ({ command, ack }) => {
  const id = Number(/#(\d+)/.exec(command.text ?? "")?.[1]);
  const key = `slack:command:${command.trigger_id}`;
  const read = await store.read(command.user_id, id, key);
  if (!read) return ack({ response_type: "ephemeral", text: "No such account or member." });
  if (read.done !== null) return ack({ response_type: "ephemeral", text: "Done already." });
  if (read.stage !== "MQL" || read.ownerId !== read.actorId) return ack({ response_type: "ephemeral", text: "Already done." });
  const now = new Date();
  const at = time(now);
  const text = `✅ ${read.company} (#${read.accountId}): MQL → Sales accepted, by ${read.actorName}.`;
  const outcome = { accountId: read.accountId, company: read.company, fromStage: "MQL", toStage: "SAL", actorName: read.actorName, at: now.toISOString(), reason: null };
  const payload = JSON.stringify({ reply: { text, ephemeral: false, blocks: [{ kind: "text", text }] }, card: null, outcome });
  const result = JSON.stringify({ accountId: read.accountId, company: read.company, event: "transition", fromStage: "MQL", toStage: "SAL", ownerName: read.actorName, at: now.toISOString() });
  const outboxId = await store.write(read, key, result, payload, at);
  if (outboxId === null) return ack({ response_type: "ephemeral", text: "Already done." });
  await ack({ response_type: "ephemeral", text: `✅ ${read.company} moved MQL → Sales accepted. Owner: ${read.actorName}.` });
  // After the ack, as the bot's worker does after the commit: the person does not wait for Slack's answer.
  void deliver(read.accountId, outboxId, text).catch((error: unknown) => console.error(`card update failed: ${String(error)}`));
});

const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  void receiver.requestListener(req, res);
});
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
