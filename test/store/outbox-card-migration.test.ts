import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteFileFromUrl } from "../../src/config/database-url.js";
import { migrationNames, openDatabase } from "../../src/store/database.js";
import { claimDue, markSent } from "../../src/store/outbox.js";
import { freshPostgresUrl, freshSqliteUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CARD_ACCOUNT = "20261203000000_outbox_claim";

/** The SQL of each migration of a provider before (`before`) or from the migration that adds `cardAccountId`. */
function migrations(provider: "sqlite" | "postgresql", part: "before" | "from"): string[] {
  const names = migrationNames(provider);
  const at = names.indexOf(CARD_ACCOUNT);
  return (part === "before" ? names.slice(0, at) : names.slice(at)).map((name) =>
    readFileSync(path.join(root, "prisma", provider === "sqlite" ? "sqlite" : "postgres", "migrations", name, "migration.sql"), "utf8"));
}

const payload = (text: string, card: { accountId: number; kind: string } | null, outcome = false) =>
  JSON.stringify({ reply: { text, blocks: [{ kind: "text", text }], ephemeral: false }, card, ...(outcome ? { outcome: { accountId: 7 } } : {}) });
const at = "2026-11-23 02:00:00";

// Rows as an outbox from before the column holds them: a pending notice posting account 7's card, the card update
// queued after it, a plain message, an unreadable payload, and a notice long sent.
const OLD_ROWS: [string, string, string, string][] = [
  ["team", "sales", payload("card of #7", { accountId: 7, kind: "mql-assigned" }), "pending"],
  ["cards", "7", payload("update #7", null, true), "pending"],
  ["member", "3", payload("plain", null), "pending"],
  ["team", "cs", "{not json", "pending"],
  ["team", "marketing", payload("old card of #9", { accountId: 9, kind: "mql" }), "sent"],
];

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

async function checkBackfilled(url: string): Promise<void> {
  const db = await openDatabase(url);
  opened.push(db);
  const rows = await db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" }, select: { id: true, cardAccountId: true } });
  // Pending rows name their card's account; the sent one is left as it was.
  expect(rows.map((r) => r.cardAccountId)).toEqual([7, 7, null, null, null]);
  // The update still waits for the notice that posts account 7's card, as before the upgrade.
  const at = new Date("2026-11-23T03:00:00Z");
  const first = await claimDue(db, "w", at, { limit: 10, leaseMs: 60_000 });
  expect(first.map((r) => r.payload.reply.text)).toEqual(["card of #7", "plain"]);
  expect(await markSent(db, first[0]!.id, "w", at)).toBe(true);
  expect((await claimDue(db, "w", at, { limit: 10, leaseMs: 60_000 })).map((r) => r.payload.reply.text)).toEqual(["update #7"]);
}

const insert = (placeholder: (n: number) => string) =>
  `INSERT INTO "OutboxMessage" ("targetKind", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt") VALUES (${[1, 2, 3, 4].map(placeholder).join(", ")}, 0, '${at}', '${at}')`;

describe("outbox rows name the account of their card", () => {
  it("backfills the pending rows of an existing outbox on SQLite", async () => {
    const url = freshSqliteUrl();
    const file = new Sqlite(sqliteFileFromUrl(url));
    for (const script of migrations("sqlite", "before")) file.exec(script);
    const statement = file.prepare(insert(() => "?"));
    for (const row of OLD_ROWS) statement.run(...row);
    for (const script of migrations("sqlite", "from")) file.exec(script);
    file.close();
    await checkBackfilled(url);
  });

  it.runIf(postgresAvailable())("backfills the pending rows of an existing outbox on PostgreSQL", async () => {
    const url = await freshPostgresUrl();
    markPostgresRan();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const script of migrations("postgresql", "before")) await client.query(script);
      for (const row of OLD_ROWS) await client.query(insert((n) => `$${n}`), row);
      for (const script of migrations("postgresql", "from")) await client.query(script);
    } finally {
      await client.end();
    }
    await checkBackfilled(url);
  });
});
