import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutgoingMessage, Reply } from "../../src/commands/reply.js";
import {
  claimDue, closePostedCards, enqueue, livePostedCards, markParked, markRetry, markSent, outboxStats, recordPostedCard,
} from "../../src/store/outbox.js";
import { createAccount, findAccount, saveChange } from "../../src/store/accounts.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const reply = (text: string): Reply => ({ text, blocks: [{ kind: "text", text }], ephemeral: false });

describe.each(testDatabases())("outbox store on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());
  beforeEach(async () => {
    await f.db.prisma.outboxMessage.deleteMany();
  });

  const lease = { limit: 50, leaseMs: 60_000 };

  it("records posted cards, lists the live ones per account and platform, and closes them", async () => {
    const at = f.clock.read();
    const a = await recordPostedCard(f.db, { accountId: 7, platform: "slack", channel: "C1", ref: "1700000000.000100", at });
    const b = await recordPostedCard(f.db, { accountId: 7, platform: "slack", channel: "U2", ref: "1700000000.000200", at, locale: "zh-CN", outboxId: 40 });
    const c = await recordPostedCard(f.db, { accountId: 7, platform: "wecom", channel: "sales", ref: "resp-code-1", at, outboxId: 41 });
    await recordPostedCard(f.db, { accountId: 8, platform: "slack", channel: "C1", ref: "1700000000.000300", at });
    expect(a).toEqual({ id: a.id, accountId: 7, platform: "slack", channel: "C1", ref: "1700000000.000100", locale: "en", outboxId: null, createdAt: at });

    expect((await livePostedCards(f.db, 7, "slack")).map((p) => p.id)).toEqual([a.id, b.id]);
    expect((await livePostedCards(f.db, 7, "wecom")).map((p) => [p.id, p.ref])).toEqual([[c.id, "resp-code-1"]]);
    // An update queued as outbox row 40 leaves the card row 40 itself (or anything later) posted alone.
    expect((await livePostedCards(f.db, 7, "slack", 40)).map((p) => p.id)).toEqual([a.id]);
    expect((await livePostedCards(f.db, 7, "slack", 41)).map((p) => [p.id, p.locale])).toEqual([[a.id, "en"], [b.id, "zh-CN"]]);

    expect(await closePostedCards(f.db, [a.id, b.id])).toBe(2);
    expect(await livePostedCards(f.db, 7, "slack")).toEqual([]);
    expect(await closePostedCards(f.db, [a.id])).toBe(0);
    expect(await closePostedCards(f.db, [])).toBe(0);
    expect(await livePostedCards(f.db, 7, "wecom")).toHaveLength(1);
    expect(await livePostedCards(f.db, 8, "slack")).toHaveLength(1);
  });

  it("stores every destination kind and reads the payload back", async () => {
    const at = f.clock.read();
    const outcome = { accountId: 9, company: "Acme", fromStage: "MQL", toStage: "SAL", actorName: "Alice", at: at.toISOString(), reason: null };
    const messages: OutgoingMessage[] = [
      { to: { kind: "member", memberId: 3 }, reply: reply("dm"), card: { kind: "mql", accountId: 9 } },
      { to: { kind: "team", teamKey: "sales" }, reply: reply("channel") },
      { to: { kind: "cards", accountId: 9 }, reply: reply("update"), outcome },
      { to: { kind: "response", platform: "slack", address: "https://hooks.slack.com/commands/T1/2/abc" }, reply: reply("late") },
    ];
    expect(await enqueue(f.db, messages, at)).toBe(4);
    expect(await enqueue(f.db, [], at)).toBe(0);
    // The card update waits for the earlier message that posts account 9's card.
    const first = await claimDue(f.db, "w", at, lease);
    expect(first.map((r) => [r.targetKind, r.target])).toEqual([["member", "3"], ["team", "sales"], ["response", "slack https://hooks.slack.com/commands/T1/2/abc"]]);
    expect(first[0]!.payload).toEqual({ reply: reply("dm"), card: { accountId: 9, kind: "mql" }, outcome: null, alert: false });
    expect(first[0]!.attempts).toBe(0);
    expect(first[0]!.createdAt).toEqual(at);
    await markParked(f.db, first[0]!.id, "w", "user_not_found");
    const second = await claimDue(f.db, "w", at, lease);
    expect(second.map((r) => r.targetKind)).toEqual(["cards"]);
    expect(second[0]!.payload).toEqual({ reply: reply("update"), card: null, outcome, alert: false });
    expect(await outboxStats(f.db)).toEqual({ pending: 3, sent: 0, parked: 1 });
  });

  it("queues messages with a `once` key only the first time, even when both calls race", async () => {
    const at = f.clock.read();
    const key = `test:once:${Date.now()}`;
    const late = (text: string): OutgoingMessage[] => [
      { to: { kind: "response", platform: "slack", address: "https://hooks.slack.com/commands/T1/9/once" }, reply: reply(text) },
      { to: { kind: "person", platform: "slack", externalId: "C1 U1" }, reply: reply(`${text} picture`) },
    ];
    expect(await Promise.all([enqueue(f.db, late("a"), at, { once: key }), enqueue(f.db, late("b"), at, { once: key })])).toEqual(expect.arrayContaining([2, 0]));
    expect(await enqueue(f.db, late("c"), at, { once: key })).toBe(0);
    const rows = await f.db.prisma.outboxMessage.findMany({ select: { payload: true } });
    expect(rows).toHaveLength(2);
    // Both of one call's messages, none of the other's.
    expect(new Set(rows.map((r) => (JSON.parse(r.payload) as { reply: Reply }).reply.text.split(" ")[0]))).toHaveProperty("size", 1);
    expect(await enqueue(f.db, late("d"), at, { once: `${key}:other` })).toBe(2);
  });

  it("parks a row whose payload cannot be read instead of letting it block its target", async () => {
    const at = f.clock.read();
    await f.db.prisma.outboxMessage.create({ data: { targetKind: "team", target: "broken", payload: "{not json", nextAttemptAt: at, createdAt: at } });
    await enqueue(f.db, [{ to: { kind: "team", teamKey: "broken" }, reply: reply("after") }], at);
    expect(await claimDue(f.db, "w", at, lease)).toEqual([]);
    const next = await claimDue(f.db, "w", at, lease);
    expect(next.map((r) => r.payload.reply.text)).toEqual(["after"]);
    expect(await outboxStats(f.db)).toEqual({ pending: 1, sent: 0, parked: 1 });
  });

  it("holds a card update while an earlier message still posts one of that account's cards, and only that account's", async () => {
    const at = f.clock.read();
    const outcome = { accountId: 7, company: "Acme", fromStage: "MQL", toStage: "SAL", actorName: "Ann", at: at.toISOString(), reason: null };
    await enqueue(f.db, [
      { to: { kind: "team", teamKey: "sales" }, reply: reply("card of #7"), card: { accountId: 7, kind: "mql-assigned" } },
      // Account 70's card must not hold back account 7's update, nor 7's hold back 70's: the marker is exact.
      { to: { kind: "team", teamKey: "cs" }, reply: reply("card of #70"), card: { accountId: 70, kind: "mql-assigned" } },
    ], at);
    await enqueue(f.db, [
      { to: { kind: "cards", accountId: 7 }, reply: reply("update #7"), outcome },
      { to: { kind: "cards", accountId: 8 }, reply: reply("update #8"), outcome: { ...outcome, accountId: 8 } },
    ], at);
    const first = await claimDue(f.db, "w", at, lease);
    expect(first.map((r) => r.payload.reply.text)).toEqual(["card of #7", "card of #70", "update #8"]);
    expect(await claimDue(f.db, "w2", at, lease)).toEqual([]);
    expect(await markSent(f.db, first[0]!.id, "w", at)).toBe(true);
    expect((await claimDue(f.db, "w2", at, lease)).map((r) => r.payload.reply.text)).toEqual(["update #7"]);
  });

  it("names the account whose card a message posts or updates, on every path that queues one", async () => {
    const at = f.clock.read();
    const { id } = await createAccount(f.db, {
      company: "Acme", domain: null, email: null, source: null, region: null, industry: null, amount: 0, stage: "MQL", ownerId: null,
      actorId: null, platform: "cli", at, idempotency: null,
    }) as { id: number };
    const account = (await findAccount(f.db, id))!.account;
    const outcome = { accountId: id, company: "Acme", fromStage: "MQL", toStage: "SAL", actorName: "Ann", at: at.toISOString(), reason: null };
    // The command path's own save (one statement on PostgreSQL, one transaction on SQLite) and `enqueue`.
    expect(await saveChange(f.db, {
      accountId: id, expectedVersion: account.version, next: { ...account, stage: "SAL", version: account.version + 1 }, events: [], actorId: null,
      platform: "cli", at, bant: null, checklist: null, roundRobin: null, idempotency: null, messages: [
        { to: { kind: "cards", accountId: id }, reply: reply("update"), outcome },
        { to: { kind: "team", teamKey: "sales" }, reply: reply("card"), card: { accountId: id, kind: "mql-assigned" } },
        { to: { kind: "member", memberId: 3 }, reply: reply("no card") },
      ],
    })).toEqual({ kind: "saved" });
    await enqueue(f.db, [
      { to: { kind: "cards", accountId: 12 }, reply: reply("update 12"), outcome: { ...outcome, accountId: 12 } },
      { to: { kind: "member", memberId: 3 }, reply: reply("card 12"), card: { accountId: 12, kind: "mql" } },
      { to: { kind: "team", teamKey: "sales" }, reply: reply("plain") },
    ], at);
    const rows = await f.db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" }, select: { cardAccountId: true } });
    expect(rows.map((r) => r.cardAccountId)).toEqual([id, id, null, 12, 12, null]);
  });

  it("holds a card update back by the column, not by what a payload's text happens to say", async () => {
    const at = f.clock.read();
    const outcome = { accountId: 5, company: "Acme", fromStage: "MQL", toStage: "SAL", actorName: "Ann", at: at.toISOString(), reason: null };
    // A message quoting account 5's card in its text posts no card of account 5: nothing waits for it.
    await enqueue(f.db, [{ to: { kind: "team", teamKey: "sales" }, reply: reply('"card":{"accountId":5,"kind":"mql"}') }], at);
    await enqueue(f.db, [{ to: { kind: "cards", accountId: 5 }, reply: reply("update #5"), outcome }], at);
    expect((await claimDue(f.db, "w", at, lease)).map((r) => r.targetKind)).toEqual(["team", "cards"]);
  });

  it("hands a card update the live cards posted before it, on every platform, read with the claim", async () => {
    const at = f.clock.read();
    const slackCard = await recordPostedCard(f.db, { accountId: 41, platform: "slack", channel: "C1", ref: "1.41", at });
    const wecomCard = await recordPostedCard(f.db, { accountId: 41, platform: "wecom", channel: "AliceW", ref: "t:rc", at, locale: "zh-CN", outboxId: 3 });
    const closed = await recordPostedCard(f.db, { accountId: 41, platform: "slack", channel: "C2", ref: "2.41", at });
    await closePostedCards(f.db, [closed.id]);
    await recordPostedCard(f.db, { accountId: 42, platform: "slack", channel: "C1", ref: "1.42", at });
    const outcome = { accountId: 41, company: "Acme", fromStage: "MQL", toStage: "SAL", actorName: "Ann", at: at.toISOString(), reason: null };
    await enqueue(f.db, [{ to: { kind: "cards", accountId: 41 }, reply: reply("update #41"), outcome }, { to: { kind: "team", teamKey: "sales" }, reply: reply("other") }], at);
    const [update, other] = await claimDue(f.db, "w", at, lease);
    // A card posted by a later outbox row is left out, as livePostedCards leaves it out.
    await recordPostedCard(f.db, { accountId: 41, platform: "slack", channel: "C3", ref: "3.41", at, outboxId: update!.id + 100 });
    expect(update!.cards).toEqual([slackCard, wecomCard]);
    expect(update!.cards!.filter((c) => c.platform === "slack")).toEqual(await livePostedCards(f.db, 41, "slack", update!.id));
    expect(other!.cards).toBeUndefined();
  });

  it("retires the cards a delivery finished with when it marks the message sent", async () => {
    const at = f.clock.read();
    await enqueue(f.db, [{ to: { kind: "team", teamKey: "t" }, reply: reply("x") }, { to: { kind: "team", teamKey: "u" }, reply: reply("y") }], at);
    const [row, other] = await claimDue(f.db, "w", at, lease);
    const a = await recordPostedCard(f.db, { accountId: 31, platform: "slack", channel: "C1", ref: "1.1", at });
    const b = await recordPostedCard(f.db, { accountId: 31, platform: "slack", channel: "C2", ref: "1.2", at });
    const c = await recordPostedCard(f.db, { accountId: 31, platform: "slack", channel: "C3", ref: "1.3", at });
    expect(await markSent(f.db, row!.id, "w", at, [a.id, b.id])).toBe(true);
    expect((await livePostedCards(f.db, 31, "slack")).map((p) => p.id)).toEqual([c.id]);
    expect(await f.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "sent", sentAt: at });
    // Not this worker's row: not marked, but the card it updated is retired all the same.
    expect(await markSent(f.db, other!.id, "someone else", at, [c.id])).toBe(false);
    expect(await livePostedCards(f.db, 31, "slack")).toEqual([]);
    expect(await f.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: other!.id } })).toMatchObject({ status: "pending" });
  });

  it("only lets the claiming worker record an outcome", async () => {
    const at = f.clock.read();
    await enqueue(f.db, [{ to: { kind: "team", teamKey: "t" }, reply: reply("x") }], at);
    const [row] = await claimDue(f.db, "w", at, lease);
    expect(await claimDue(f.db, "other", at, lease)).toEqual([]);
    expect(await markRetry(f.db, row!.id, "other", at, "nope")).toBe(false);
    expect(await markRetry(f.db, row!.id, "w", new Date(at.getTime() + 1000), "busy")).toBe(true);
    expect(await markRetry(f.db, row!.id, "w", at, "again")).toBe(false);
    expect(await f.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ attempts: 1, lastError: "busy", claimedBy: null });
  });
});

describe.each(testDatabases().filter((d) => d.name === "PostgreSQL"))("the outbox's claim on $name, one statement", ({ url }) => {
  let f: Fixture;
  let dbUrl: string;
  beforeAll(async () => {
    dbUrl = await url();
    f = await openFixture(dbUrl);
  });
  afterAll(async () => f?.close());
  const lease = { limit: 50, leaseMs: 60_000 };

  /** Two messages to each of three teams, oldest first: a0 a1, b0 b1, c0 c1. */
  async function queue(): Promise<Record<string, number>> {
    await f.db.prisma.outboxMessage.deleteMany();
    const at = f.clock.read();
    for (const n of [0, 1]) for (const team of ["a", "b", "c"]) await enqueue(f.db, [{ to: { kind: "team", teamKey: team }, reply: reply(`${team}${n}`) }], at);
    const rows = await f.db.prisma.outboxMessage.findMany({ select: { id: true, payload: true } });
    return Object.fromEntries(rows.map((r) => [(JSON.parse(r.payload) as { reply: Reply }).reply.text, r.id]));
  }

  it("passes over a head another transaction holds instead of waiting for it, and never the row behind it", async () => {
    const ids = await queue();
    const other = new pg.Client({ connectionString: dbUrl });
    await other.connect();
    try {
      // Another worker's claim or mark in flight on a0.
      await other.query("BEGIN");
      await other.query(`SELECT 1 FROM "OutboxMessage" WHERE "id" = $1 FOR UPDATE`, [ids.a0]);
      const claim = claimDue(f.db, "w1", f.clock.read(), lease);
      // The lock is let go only once the claim has answered, or after 5 s: a claim that waited for it answers after.
      let answeredWhileHeld = false;
      await Promise.race([claim.then(() => (answeredWhileHeld = true)), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await other.query("ROLLBACK");
      expect(answeredWhileHeld).toBe(true);
      expect((await claim).map((r) => r.id)).toEqual([ids.b0, ids.c0]);
      expect((await claimDue(f.db, "w2", f.clock.read(), lease)).map((r) => r.id)).toEqual([ids.a0]);
    } finally {
      await other.end();
    }
  });

  it("gives two workers claiming at once each their own heads, every head once", async () => {
    for (let round = 0; round < 5; round++) {
      const ids = await queue();
      const [one, two] = await Promise.all([claimDue(f.db, "w1", f.clock.read(), lease), claimDue(f.db, "w2", f.clock.read(), lease)]);
      const claimed = [...one, ...two].map((r) => r.id).sort((x, y) => x - y);
      expect(claimed).toEqual([ids.a0, ids.b0, ids.c0]);
      const held = await f.db.prisma.outboxMessage.findMany({ where: { claimedBy: { not: null } }, select: { id: true, claimedBy: true } });
      expect(held.map((r) => [r.id, r.claimedBy]).sort()).toEqual([...one.map((r) => [r.id, "w1"]), ...two.map((r) => [r.id, "w2"])].sort());
    }
  });
});
