import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { claimDue, markSent } from "../../src/store/outbox.js";
import { freshPostgresUrl, freshSqliteUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";
import { migrateAcross } from "../support/migrate-across.js";

const CARD_ACCOUNT = "20261203000000_outbox_claim";

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
    await migrateAcross("sqlite", url, CARD_ACCOUNT, async (old) => {
      for (const row of OLD_ROWS) await old.run(insert(old.placeholder), row);
    });
    await checkBackfilled(url);
  });

  it.runIf(postgresAvailable())("backfills the pending rows of an existing outbox on PostgreSQL", async () => {
    const url = await freshPostgresUrl();
    markPostgresRan();
    await migrateAcross("postgresql", url, CARD_ACCOUNT, async (old) => {
      for (const row of OLD_ROWS) await old.run(insert(old.placeholder), row);
    });
    await checkBackfilled(url);
  });
});
