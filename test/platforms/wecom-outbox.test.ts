import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../src/commands/reply.js";
import { WECOM } from "../../src/platforms/limits.js";
import { WecomClient } from "../../src/platforms/wecom/client.js";
import { wecomDeliverer } from "../../src/platforms/wecom/deliver.js";
import { updateMember } from "../../src/store/members.js";
import { claimDue, enqueue, livePostedCards, recordPostedCard, type OutboxRow } from "../../src/store/outbox.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeWecom, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const APP: WecomTestApp = { corpId: "wwoutbox000000001", agentId: 1000003, secret: "outbox-secret", token: "t", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };

describe("the WeCom deliverer: errcodes, rates and limits", () => {
  let f: Fixture;
  let wecom: FakeWecom;
  let deliver: ReturnType<typeof wecomDeliverer>;
  let client: WecomClient;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    wecom = new FakeWecom(APP);
    await wecom.start();
    await updateMember(f.db, "alice", { wecomUserId: "AliceW" });
    await updateMember(f.db, "bob", { wecomUserId: "BobZ" });
    await upsertTeam(f.db, { key: "sales", name: "Sales", wecomRobotKey: "robot-key-sales-0001" });
    await upsertTeam(f.db, { key: "cs", name: "CS", wecomChatId: "wrCsChat" });
    client = new WecomClient({ corpId: APP.corpId, agentId: APP.agentId, secret: APP.secret, apiUrl: wecom.url });
    deliver = wecomDeliverer(f.ctx, client, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await wecom?.stop();
    await f?.close();
  });
  beforeEach(async () => {
    await f.db.prisma.outboxMessage.deleteMany();
  });

  const text = (t: string) => ({ text: t, blocks: [{ kind: "text" as const, text: t }], ephemeral: false });
  const toMember = (handle: string, t: string): OutgoingMessage => ({ to: { kind: "member", memberId: f.members[handle]!.id }, reply: text(t) });
  async function one(message: OutgoingMessage): Promise<OutboxRow> {
    await enqueue(f.db, [message], f.clock.read());
    return (await claimDue(f.db, "test", f.clock.read(), { limit: 1, leaseMs: 60_000 }))[0]!;
  }

  it("caches the token across calls and checks errcode on every answer", async () => {
    await client.sendText("AliceW", "one");
    await client.sendText("AliceW", "two");
    expect(wecom.callsTo("gettoken")).toHaveLength(1);
    wecom.failNext("message/send", 1, 60020, "not allow to access from your ip");
    await expect(client.sendText("AliceW", "three")).rejects.toMatchObject({ errcode: 60020, retryable: false });
    wecom.failNext("message/send", 1, -1, "system busy");
    await expect(client.sendText("AliceW", "four")).rejects.toMatchObject({ errcode: -1, retryable: true });
  });

  it("retries -1 and waits out 45009; parks untrusted IPs, invalid users and people outside the app", async () => {
    const cases: [number, unknown][] = [
      [-1, { kind: "retry" }],
      [45009, { kind: "retry", afterMs: 60_000 }],
      [60020, { kind: "failed" }],
      [81013, { kind: "failed" }],
      [40003, { kind: "failed" }],
    ];
    for (const [errcode, expected] of cases) {
      wecom.failNext("message/send", 1, errcode);
      const result = await deliver(await one(toMember("bob", `errcode ${errcode}`)));
      expect(result).toMatchObject(expected as object);
      if (errcode !== 45009) expect(result).not.toHaveProperty("afterMs");
      await f.db.prisma.outboxMessage.deleteMany();
    }
    wecom.invisibleUsers.add("BobZ");
    expect(await deliver(await one(toMember("bob", "outside the visible range")))).toMatchObject({ kind: "failed", error: expect.stringContaining("81013") });
    wecom.invisibleUsers.delete("BobZ");
    // Nobody on WeCom: the next platform's turn.
    expect(await deliver(await one(toMember("carl", "no WeCom id")))).toBeNull();
  });

  it("keeps a group robot to 20 messages a minute and its markdown to 4096 bytes", async () => {
    const before = wecom.callsTo("webhook/send").length;
    const lines = Array.from({ length: 300 }, (_, i) => `#${i} 停滞客户 — 技术对接 — 21 天 / 14 天`);
    const digest = { text: "digest", blocks: [{ kind: "heading" as const, text: "销售 每日摘要" }, { kind: "list" as const, items: lines }], ephemeral: false };
    const results = [];
    for (let i = 0; i <= WECOM.robotPerMinute; i++) {
      // One message per target is claimable at a time, so each is claimed once the one before is done.
      results.push(await deliver(await one({ to: { kind: "team", teamKey: "sales" }, reply: digest })));
      await f.db.prisma.outboxMessage.deleteMany();
    }
    expect(results.slice(0, WECOM.robotPerMinute).every((r) => r?.kind === "sent")).toBe(true);
    expect(results.at(-1)).toMatchObject({ kind: "retry", afterMs: expect.any(Number) });
    const sent = wecom.callsTo("webhook/send").slice(before);
    expect(sent).toHaveLength(WECOM.robotPerMinute);
    for (const call of sent) {
      expect(call.query.key).toBe("robot-key-sales-0001");
      const content = (call.body.markdown as { content: string }).content;
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(WECOM.robotMarkdown);
      expect(content).toMatch(/…还有 \d+ 条|…and \d+ more/);
    }
    expect(await deliver(await one({ to: { kind: "team", teamKey: "cs" }, reply: text("to the app chat") }))).toEqual({ kind: "sent" });
    await wecom.waitFor("appchat/send", (c) => c.body.chatid === "wrCsChat");
    expect(await deliver(await one({ to: { kind: "team", teamKey: "support" }, reply: text("no WeCom group") }))).toBeNull();
  });

  it("updates live cards; a refused code retires its card, a busy WeCom keeps it for the retry", async () => {
    const at = f.clock.read();
    const outcome = { accountId: 9001, company: "Outcome Co", fromStage: "MQL", toStage: "SAL", actorName: "Alice", at: at.toISOString(), reason: null };
    await recordPostedCard(f.db, { accountId: 9001, platform: "wecom", channel: "AliceW", ref: "fb-9001-aaaa:rc-1", at, locale: "en" });
    await recordPostedCard(f.db, { accountId: 9001, platform: "wecom", channel: "BobZ", ref: "fb-9001-bbbb:rc-2", at, locale: "zh-CN" });
    const update = { to: { kind: "cards" as const, accountId: 9001 }, reply: text("outcome"), outcome };
    // Busy for the first card only: the cards are updated at once, so the second is updated (and retired) all the same.
    wecom.failWhen = (api, body) => (api === "message/update_template_card" && body.response_code === "rc-1" ? { errcode: -1 } : null);
    expect(await deliver(await one(update))).toMatchObject({ kind: "retry" });
    wecom.failWhen = null;
    expect((await livePostedCards(f.db, 9001, "wecom")).map((c) => c.ref)).toEqual(["fb-9001-aaaa:rc-1"]);
    await f.db.prisma.outboxMessage.deleteMany();
    wecom.failNext("message/update_template_card", 1, 40098, "response_code used");
    expect(await deliver(await one(update))).toEqual({ kind: "sent" });
    expect(await livePostedCards(f.db, 9001, "wecom")).toHaveLength(0);
    const zh = wecom.callsTo("message/update_template_card").find((c) => c.body.response_code === "rc-2" && c.response.errcode === 0)!;
    expect(zh.body.userids).toEqual(["BobZ"]);
    expect(JSON.stringify(zh.body.template_card)).toContain("已处理");
    await f.db.prisma.outboxMessage.deleteMany();
    expect(await deliver(await one(update))).toBeNull();
  });
});
