import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { runAutomations } from "../../src/jobs/automations.js";
import { runCommand } from "../../src/services/run-command.js";
import { createAccount } from "../../src/store/accounts.js";
import { updateMember } from "../../src/store/members.js";
import { enqueue, livePostedCards, recordPostedCard } from "../../src/store/outbox.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeSlack } from "../support/fake-slack.js";
import { FakeWecom, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const APP: WecomTestApp = { corpId: "wwboth00000000001", agentId: 1000004, secret: "s", token: "t", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };

/** A bot on a fresh SQLite file with both platforms, each a fake; `outboxLeaseMs` when given. */
interface BothPlatforms {
  f: Fixture;
  slack: FakeSlack;
  wecom: FakeWecom;
  bot: RunningBot;
}

/** Starts a bot on Slack and WeCom (their fakes) before the describe's tests, and stops it all after them. */
function botOnBothPlatforms(extra: { outboxLeaseMs?: number } = {}): BothPlatforms {
  const both = {} as BothPlatforms;
  beforeAll(async () => {
    both.f = await openFixture(freshSqliteUrl());
    both.slack = new FakeSlack();
    both.wecom = new FakeWecom(APP);
    await both.slack.start();
    await both.wecom.start();
    // No digests or automations in the background (where the bot runs them): only this test's rows.
    const options = {
      port: 0, host: "127.0.0.1", outboxIntervalMs: 25, scheduler: false, ...extra,
      slack: { botToken: "xoxb-test-token", signingSecret: "secret", apiUrl: both.slack.apiUrl },
      wecom: { ...APP, apiUrl: both.wecom.url },
    };
    both.bot = await startBot(both.f.ctx, options, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await both.bot?.close();
    await both.slack?.stop();
    await both.wecom?.stop();
    await both.f?.close();
  });
  return both;
}

describe("an account's cards on Slack and WeCom at once", () => {
  const both = botOnBothPlatforms();

  it("updates every copy: the Slack message and the WeCom card", async () => {
    const at = both.f.clock.read();
    await recordPostedCard(both.f.db, { accountId: 77, platform: "slack", channel: "C_SALES", ref: "1700000000.000100", at });
    await recordPostedCard(both.f.db, { accountId: 77, platform: "wecom", channel: "AliceW", ref: "fb-77-abc:rc-77", at, locale: "zh-CN" });
    const outcome = { accountId: 77, company: "Both Co", fromStage: "MQL", toStage: "SAL", actorName: "Alice", at: at.toISOString(), reason: null };
    await enqueue(both.f.db, [{ to: { kind: "cards", accountId: 77 }, reply: { text: "x", blocks: [], ephemeral: false }, outcome }], at);
    // The fakes see the calls before the worker records their outcome: wait for the worker, not the fakes.
    await both.bot.worker.idle();
    expect(both.slack.callsTo("chat.update").filter((c) => c.body.ts === "1700000000.000100")).toHaveLength(1);
    const updates = both.wecom.callsTo("message/update_template_card").filter((c) => c.body.response_code === "rc-77");
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]!.body.template_card)).toContain("Both Co");
    expect((await both.f.db.prisma.outboxMessage.findMany({ select: { status: true } })).map((r) => r.status)).toEqual(["sent"]);
    expect(await livePostedCards(both.f.db, 77, "slack")).toHaveLength(0);
    expect(await livePostedCards(both.f.db, 77, "wecom")).toHaveLength(0);
  });

  it("retires the Slack copy at once when the WeCom copy must be retried, so the retry does not update it again", async () => {
    const at = both.f.clock.read();
    const slackCard = await recordPostedCard(both.f.db, { accountId: 78, platform: "slack", channel: "C_SALES", ref: "1700000000.000200", at });
    await recordPostedCard(both.f.db, { accountId: 78, platform: "wecom", channel: "AliceW", ref: "fb-78-abc:rc-78", at, locale: "zh-CN" });
    const outcome = { accountId: 78, company: "Retry Co", fromStage: "MQL", toStage: "SAL", actorName: "Alice", at: at.toISOString(), reason: null };
    both.wecom.failNext("message/update_template_card", 1, -1, "system busy");
    await enqueue(both.f.db, [{ to: { kind: "cards", accountId: 78 }, reply: { text: "x", blocks: [], ephemeral: false }, outcome }], at);
    await both.bot.worker.idle();
    expect((await both.f.db.prisma.outboxMessage.findFirstOrThrow({ where: { target: "78" } })).status).toBe("pending");
    expect((await livePostedCards(both.f.db, 78, "slack")).map((c) => c.id)).not.toContain(slackCard.id);
    both.f.clock.advance(60_000);
    await both.bot.worker.idle();
    expect((await both.f.db.prisma.outboxMessage.findFirstOrThrow({ where: { target: "78" } })).status).toBe("sent");
    expect(both.slack.callsTo("chat.update").filter((c) => c.body.ts === "1700000000.000200")).toHaveLength(1);
    expect(both.wecom.callsTo("message/update_template_card").filter((c) => c.body.response_code === "rc-78")).toHaveLength(2);
    expect(await livePostedCards(both.f.db, 78, "wecom")).toHaveLength(0);
  });
});

describe("an update of many copies, some of which hang", () => {
  // A short lease, so a delivery's deadline (a quarter of it) comes in 500 ms of real time.
  const LEASE_MS = 2_000;
  const both = botOnBothPlatforms({ outboxLeaseMs: LEASE_MS });

  /** Waits (bounded) for the bot to close the connections of the calls the fakes never answered. */
  async function abandoned(): Promise<boolean> {
    for (let i = 0; i < 100 && ![...both.slack.hung, ...both.wecom.hung].every((c) => c.abandoned); i++) await new Promise((r) => setTimeout(r, 10));
    return [...both.slack.hung, ...both.wecom.hung].every((c) => c.abandoned);
  }

  it("gives up on the hanging copies within the lease, and the retry updates only those", async () => {
    const at = both.f.clock.read();
    const slackRefs = ["1700000000.000901", "1700000000.000902", "1700000000.000903", "1700000000.000904"];
    for (const ref of slackRefs) await recordPostedCard(both.f.db, { accountId: 90, platform: "slack", channel: `C_${ref.slice(-1)}`, ref, at });
    for (const code of ["rc-901", "rc-902", "rc-903"]) await recordPostedCard(both.f.db, { accountId: 90, platform: "wecom", channel: "AliceW", ref: `fb-90-x:${code}`, at, locale: "zh-CN" });
    // Two Slack copies and one WeCom card hang: one after another they would hold the row for three timeouts.
    const hangs = new Set(["1700000000.000902", "1700000000.000903", "rc-902"]);
    both.slack.hangWhen = (method, body) => method === "chat.update" && hangs.has(String(body.ts));
    both.wecom.hangWhen = (api, body) => api === "message/update_template_card" && hangs.has(String(body.response_code));
    const outcome = { accountId: 90, company: "Hang Co", fromStage: "MQL", toStage: "SAL", actorName: "Alice", at: at.toISOString(), reason: null };
    await enqueue(both.f.db, [{ to: { kind: "cards", accountId: 90 }, reply: { text: "x", blocks: [], ephemeral: false }, outcome }], at);

    const started = Date.now();
    await both.bot.worker.idle();
    // The attempt ended at its deadline and its outcome is recorded, well before another worker could take the row over.
    expect(Date.now() - started).toBeLessThan(LEASE_MS);
    const row = await both.f.db.prisma.outboxMessage.findFirstOrThrow({ where: { target: "90" } });
    expect(row).toMatchObject({ status: "pending", attempts: 1, claimedBy: null });
    expect(row.lastError).toContain(`not done within ${LEASE_MS / 4} ms`);
    // Nothing of it is still in flight: the hung calls' connections were closed.
    expect(both.slack.hung.map((c) => c.body.ts).sort()).toEqual(["1700000000.000902", "1700000000.000903"]);
    expect(both.wecom.hung.map((c) => c.body.response_code)).toEqual(["rc-902"]);
    expect(await abandoned()).toBe(true);
    // The copies that did not hang were updated in the same attempt, and retired.
    const updated = () => both.slack.callsTo("chat.update").map((c) => String(c.body.ts)).sort();
    const spent = () => both.wecom.callsTo("message/update_template_card").map((c) => String(c.body.response_code)).sort();
    expect(updated()).toEqual(["1700000000.000901", "1700000000.000904"]);
    expect(spent()).toEqual(["rc-901", "rc-903"]);
    expect((await livePostedCards(both.f.db, 90, "slack")).map((c) => c.ref)).toEqual(["1700000000.000902", "1700000000.000903"]);
    expect((await livePostedCards(both.f.db, 90, "wecom")).map((c) => c.ref)).toEqual(["fb-90-x:rc-902"]);

    // Slack and WeCom answer again: the retry updates the copies that hung, and none of the others a second time.
    both.slack.hangWhen = null;
    both.wecom.hangWhen = null;
    both.f.clock.advance(60_000);
    await both.bot.worker.idle();
    expect((await both.f.db.prisma.outboxMessage.findFirstOrThrow({ where: { target: "90" } })).status).toBe("sent");
    expect(updated()).toEqual([...slackRefs].sort());
    expect(spent()).toEqual(["rc-901", "rc-902", "rc-903"]);
    expect(await livePostedCards(both.f.db, 90, "slack")).toHaveLength(0);
    expect(await livePostedCards(both.f.db, 90, "wecom")).toHaveLength(0);
  });
});

describe("reminders of an unaccepted MQL, once it is accepted", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "chen", { slackUserId: "UCHEN" });
    await updateMember(f.db, "sam", { slackUserId: "USAM" });
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", outboxIntervalMs: 25, scheduler: false, slack: { botToken: "xoxb-test-token", signingSecret: "secret", apiUrl: slack.apiUrl } }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("updates the rep's reminder and the manager's escalation in place, so neither still says it waits", async () => {
    const created = await createAccount(f.db, {
      company: "Waiting Co", domain: null, email: null, source: "web", region: null, industry: null, amount: 0, stage: "MQL",
      ownerId: f.members.chen!.id, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
    });
    if (created.kind !== "created") throw new Error("not created");
    // A business day later the rep is reminded (1× the SLA); another, and the managers hear of it (2×).
    f.clock.advance(86_400_000);
    await runAutomations(f.ctx, { now: f.clock.read() });
    f.clock.advance(86_400_000);
    await runAutomations(f.ctx, { now: f.clock.read() });
    await bot.worker.idle();
    const posted = slack.callsTo("chat.postMessage").filter((c) => JSON.stringify(c.body).includes("Waiting Co"));
    expect(posted.map((c) => c.body.channel)).toEqual(["UCHEN", "USAM"]);
    expect(await livePostedCards(f.db, created.id, "slack")).toHaveLength(posted.length);
    // The rep's reminder carries [Next step] beside the card's moves, as a Slack button.
    expect(JSON.stringify(posted[0]!.body.blocks)).toContain(`"value":"account next #${created.id}"`);

    expect((await runCommand(f.ctx, f.members.chen!, `lead accept #${created.id}`, { platform: "cli" })).errorCode).toBeUndefined();
    await bot.worker.idle();
    const updated = slack.callsTo("chat.update").map((c) => String(c.body.ts));
    for (const call of posted) expect(updated).toContain(String(call.response.ts));
    expect(await livePostedCards(f.db, created.id, "slack")).toHaveLength(0);
  });
});
