import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { WECOM } from "../../src/platforms/limits.js";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { enqueue } from "../../src/store/outbox.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { cardEvent, encryptRaw, envelope, FakeWecom, openPassiveReply, plaintextLayout, postCallback, sealFor, signedQuery, textMessage, TEST_WECOM_APP, verifyUrl, type WecomCall } from "../support/fake-wecom.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const APP = TEST_WECOM_APP;
const USERS: Record<string, string> = { admin: "Ada", mia: "MiaWu", mark: "MarkT", sam: "SamLi", alice: "AliceW", bob: "BobZ", chen: "ChenChen", cathy: "CathyL", carl: "CarlH" };
const ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

type Card = { task_id: string; main_title: { title: string }; sub_title_text?: string; button_list: { text: string; key: string }[]; replace_text?: string };

describe("WeCom: the real callback against a fake WeCom API", () => {
  let f: Fixture;
  let wecom: FakeWecom;
  let bot: RunningBot;
  let msgIds = 5_000_000_000_000_000;
  const nextMsgId = () => String((msgIds += 1));
  const userOf = (handle: string) => USERS[handle]!;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    for (const [handle, id] of Object.entries(USERS)) await updateMember(f.db, handle, { wecomUserId: id });
    await upsertTeam(f.db, { key: "sales", name: "Sales", wecomRobotKey: ROBOT_KEY });
    await upsertTeam(f.db, { key: "marketing", name: "Marketing", wecomChatId: "wrMarketingChat" });
    wecom = new FakeWecom(APP);
    await wecom.start();
    // No digests or automations in the background (where the bot runs them): these tests count rows.
    const options = { port: 0, host: "127.0.0.1", wecom: { ...APP, apiUrl: wecom.url }, outboxIntervalMs: 25, scheduler: false };
    bot = await startBot(f.ctx, options, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await wecom?.stop();
    await f?.close();
  });

  const say = (handle: string, content: string, msgId = nextMsgId()) => postCallback(bot.url, APP, textMessage(APP, { from: userOf(handle), content, msgId }));
  const textsTo = (handle: string) => wecom.sentTo(userOf(handle)).filter((c) => c.body.msgtype === "text").map((c) => String((c.body.text as { content: string }).content));
  // Commands run before the callback is answered, so once the worker is idle every reply has been sent
  // and recorded: tests wait for that, never for a time.
  const delivered = () => bot.worker.idle();
  const sent = async (api: string, match: (call: WecomCall) => boolean): Promise<WecomCall> => {
    await delivered();
    const found = wecom.callsTo(api).find((c) => c.response.errcode === 0 && match(c));
    if (!found) throw new Error(`no ${api} call was made; got ${wecom.calls.map((c) => `${c.api}:${String(c.response.errcode)}`).join(", ") || "none"}`);
    return found;
  };
  const textSent = async (handle: string, match: (text: string) => boolean) =>
    String(((await sent("message/send", (c) => c.body.touser === userOf(handle) && c.body.msgtype === "text" && match(String((c.body.text as { content: string }).content)))).body.text as { content: string }).content);
  const stageOf = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage;
  const counts = async () => ({ ...(await tableCounts(f.db)), cards: await f.db.prisma.postedCard.count() });

  async function handOff(company: string): Promise<{ id: number; rep: string }> {
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "") || "zh"}-${randomBytes(3).toString("hex")}.example`, source: "web", amount: 5000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const id = created.value.accountId;
    expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${id} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
    return { id, rep: account.owner!.handle };
  }

  /** A lead handed off and, unless round robin already chose them, reassigned to `handle` by the sales manager. */
  async function handOffTo(company: string, handle: string): Promise<number> {
    const { id, rep } = await handOff(company);
    if (rep !== handle) expect((await runCommand(f.ctx, f.members.sam!, `account reassign #${id} ${handle}`, { platform: "cli" })).errorCode).toBeUndefined();
    return id;
  }

  /** The MQL card sent to `handle` for account `id`, once WeCom answered it and the bot remembered it. */
  async function cardOf(handle: string, id: number): Promise<{ call: WecomCall; card: Card }> {
    const call = await sent("message/send", (c) => c.body.touser === userOf(handle) && c.body.msgtype === "template_card" && (c.body.template_card as Card).task_id.startsWith(`fb-${id}-`));
    expect(await f.db.prisma.postedCard.count({ where: { accountId: id, platform: "wecom" } })).toBeGreaterThan(0);
    return { call, card: call.body.template_card as Card };
  }

  const click = (handle: string, card: Card, key: string, responseCode: string, createTime = Math.floor(Date.now() / 1000)) =>
    postCallback(bot.url, APP, cardEvent(APP, { from: userOf(handle), eventKey: key, taskId: card.task_id, responseCode, createTime }));

  it("answers URL verification with the decrypted echostr, within a second, and refuses a bad signature", async () => {
    const echo = `echo-${randomBytes(6).toString("hex")}+/=`;
    const started = Date.now();
    const good = await verifyUrl(bot.url, APP, echo);
    expect(Date.now() - started).toBeLessThan(WECOM.verifySeconds * 1000);
    expect(good).toEqual({ status: 200, text: echo });
    const forged = await verifyUrl(bot.url, APP, echo, { signature: "0".repeat(40) });
    expect(forged.status).toBe(401);
    expect(forged.text).not.toContain(echo);
    const elsewhere = await verifyUrl(bot.url, APP, echo, { receiveId: "wwsomeoneelse00001" });
    expect(elsewhere.status).toBe(401);
  });

  it("runs a text command in English and in Chinese and answers through message/send", async () => {
    const rep = "alice";
    const id = await handOffTo("Text Command Co", rep);
    const answered = await say(rep, `lead accept ${id}`);
    expect(answered).toEqual({ status: 200, text: "" });
    expect(await stageOf(id)).toBe("SAL");
    const reply = await textSent(rep, (text) => text.includes("Text Command Co"));
    expect(reply).toMatch(/Sales accepted/);
    const sent = wecom.sentTo(userOf(rep)).find((c) => JSON.stringify(c.body).includes("Text Command Co") && c.body.msgtype === "text")!;
    expect(sent.body.agentid).toBe(APP.agentId);
    expect(sent.query.access_token).toMatch(/^fake-token-/);

    const second = await handOffTo("中文命令公司", "chen");
    expect((await say("chen", `线索 接受 ${second}`)).status).toBe(200);
    expect(await stageOf(second)).toBe("SAL");
    const zh = await textSent("chen", (text) => text.includes("中文命令公司"));
    expect(zh).toContain("销售认可");
    // A leading slash works as in Slack; nonsense gets a short hint, never a stack trace.
    expect((await say("alice", "/lead mine")).status).toBe(200);
    await textSent("alice", (text) => /#\d+/.test(text) || /nothing|no accounts/i.test(text));
    expect((await say("alice", "lead acept 4")).status).toBe(200);
    const hint = await textSent("alice", (text) => text.includes("lead accept"));
    expect(hint).not.toMatch(/at .*\.ts:\d+/);
  });

  it("sends the MQL card as a template_card; Accept on the card moves the lead and updates that card with no button left", async () => {
    const { id, rep } = await handOff("Card Click Co");
    const { card, call } = await cardOf(rep, id);
    expect(call.body.agentid).toBe(APP.agentId);
    expect(Buffer.byteLength(card.task_id)).toBeLessThanOrEqual(WECOM.taskId);
    expect(card.task_id).toMatch(/^[0-9A-Za-z_\-@]+$/);
    expect(card.button_list.length).toBeGreaterThan(0);
    expect(card.button_list.length).toBeLessThanOrEqual(WECOM.cardButtons);
    expect(card.button_list.map((b) => b.key)).toEqual(expect.arrayContaining([`lead accept #${id}`, `lead return #${id}`]));
    // The team's copy goes to its group robot as markdown: robots carry no interactive cards.
    const teamCopy = await sent("webhook/send", (c) => c.query.key === ROBOT_KEY && JSON.stringify(c.body).includes("Card Click Co"));
    expect(teamCopy.body.msgtype).toBe("markdown");
    expect((teamCopy.body.markdown as { content: string }).content).toContain(`lead accept #${id}`);

    const accept = card.button_list.find((b) => b.key === `lead accept #${id}`)!;
    const responseCode = `rc-click-${id}`;
    expect(await click(rep, card, accept.key, responseCode)).toEqual({ status: 200, text: "" });
    expect(await stageOf(id)).toBe("SAL");
    const update = await sent("message/update_template_card", (c) => c.body.response_code === responseCode);
    expect(update.body).toMatchObject({ userids: [userOf(rep)], agentid: APP.agentId });
    const updated = update.body.template_card as Card;
    expect(updated.task_id).toBe(card.task_id);
    const shown = `${updated.main_title.title}\n${updated.sub_title_text ?? ""}`;
    expect(shown).toMatch(f.members[rep]!.locale === "zh-CN" ? /Card Click Co.*「营销合格线索」→「销售认可线索」/s : /Card Click Co.*MQL → Sales accepted/s);
    // No button left to press: the one a button_interaction card must keep is inert and shown greyed out.
    expect(updated.replace_text).toBeTruthy();
    expect(updated.button_list.every((b) => b.key === "fb:noop")).toBe(true);
    // The click's fresh response_code was spent, the one message/send returned was not; each code once only.
    const codes = wecom.callsTo("message/update_template_card").map((c) => c.body.response_code);
    expect(codes).not.toContain(call.response.response_code);
    expect(new Set(codes).size).toBe(codes.length);
    // Once updated, the card is retired: a later move will not spend a code on it again.
    expect(await f.db.prisma.postedCard.count({ where: { accountId: id, live: true } })).toBe(0);
    // Should a client still let the grey button be pressed, nothing happens.
    const before = await counts();
    expect(await click(rep, updated, "fb:noop", `rc-noop-${id}`)).toEqual({ status: 200, text: "" });
    expect(await counts()).toEqual(before);
  });

  it("keeps nothing of a refused card click: no posted-card row, and the clicked card keeps the code it had", async () => {
    const id = await handOffTo("Refused Click Co", "alice");
    const { card } = await cardOf("alice", id);
    const other = await handOffTo("Someone Else's Co", "bob");
    const live = async () => f.db.prisma.postedCard.findMany({ where: { platform: "wecom" }, orderBy: { id: "asc" }, select: { id: true, ref: true, live: true } });
    await delivered();
    const before = { ...(await counts()), rows: await live() };
    // Alice's own live card, carrying a key for Bob's lead (as a replayed or doctored button would): refused.
    expect(await click("alice", card, `lead accept #${other}`, `rc-refused-${id}`)).toEqual({ status: 200, text: "" });
    await textSent("alice", (text) => text.includes("⚠️"));
    expect(await stageOf(other)).toBe("MQL");
    // The refused click answered Alice (an outbox row and its delivery claim); no card was renewed or added.
    expect((await live())).toEqual(before.rows);
    expect((await counts()).cards).toBe(before.cards);

    // A card that is no longer live (its account moved on): a refused click on it writes no card either.
    expect((await runCommand(f.ctx, f.members.sam!, `lead unqualified #${id} other budget gone`, { platform: "cli" })).errorCode).toBeUndefined();
    await delivered();
    expect(await f.db.prisma.postedCard.count({ where: { accountId: id, live: true } })).toBe(0);
    const cards = await f.db.prisma.postedCard.count();
    expect((await click("alice", card, `lead accept #${id}`, `rc-late-${id}`)).status).toBe(200);
    await delivered();
    expect(await f.db.prisma.postedCard.count()).toBe(cards);
  });

  it("Return on the card lists the reasons; the typed answer returns the lead, tells marketing's chat and updates the card", async () => {
    const rep = "bob";
    const id = await handOffTo("Return Card Co", rep);
    const { card } = await cardOf(rep, id);
    expect((await click(rep, card, `lead return #${id}`, `rc-return-${id}`)).status).toBe(200);
    const prompt = await textSent(rep, (text) => text.includes(`lead return #${id}`));
    expect(prompt).toMatch(/^1\. /m);
    expect(prompt).toMatch(/<number or reason>/);
    expect(await stageOf(id)).toBe("MQL");
    expect((await say(rep, `lead return #${id} 1 talked to them, not now`)).status).toBe(200);
    expect(await stageOf(id)).toBe("RETURNED");
    await sent("appchat/send", (c) => c.body.chatid === "wrMarketingChat" && JSON.stringify(c.body).includes("Return Card Co"));
    const update = await sent("message/update_template_card", (c) => c.body.response_code === `rc-return-${id}`);
    expect(JSON.stringify(update.body.template_card)).toContain("Return Card Co");
  });

  it("qualifies through the BANT text form: field errors line by line, then SAL → SQL", async () => {
    const id = await handOffTo("表单测试公司", "chen");
    expect((await runCommand(f.ctx, f.members.chen!, `lead accept #${id}`, { platform: "cli" })).errorCode).toBeUndefined();
    await say("chen", `线索 资格 #${id}`);
    const form = await textSent("chen", (text) => text.includes("预算确认=是/否"));
    expect(form).toContain(`线索 资格 #${id} 预算=… 预算确认=是/否 决策人=… 已参与=是/否 需求=… 时间=YYYY-MM-DD`);

    const bant = await f.db.prisma.bantAnswer.count();
    await say("chen", `线索 资格 #${id} 预算=很多 预算确认=是`);
    const errors = await textSent("chen", (text) => text.includes("⚠️ 预算金额"));
    expect(errors).toMatch(/^⚠️ 预算金额: .+$/m);
    expect(errors).toMatch(/^⚠️ 决策人: .+$/m);
    expect(errors).toMatch(/^⚠️ 预计时间: .+$/m);
    // The form comes back with what was typed, ready to correct.
    expect(errors).toContain(`线索 资格 #${id} 预算=很多 预算确认=是 决策人=… 已参与=是/否`);
    expect(await stageOf(id)).toBe("SAL");
    expect(await f.db.prisma.bantAnswer.count()).toBe(bant);

    await say("chen", `线索 资格 #${id} 预算=80000 预算确认=是 决策人=李伟 已参与=是 需求=群发 时间=2027-03-01`);
    expect(await stageOf(id)).toBe("SQL");
    await textSent("chen", (text) => text.includes("表单测试公司") && text.includes("商机"));
  });

  it("refreshes a token that expires between two sends and delivers without surfacing an error", async () => {
    const text = (n: number) => `token test message ${n}`;
    const message = (n: number) => ({ to: { kind: "member" as const, memberId: f.members.bob!.id }, reply: { text: text(n), blocks: [{ kind: "text" as const, text: text(n) }], ephemeral: false } });
    await enqueue(f.db, [message(1)], f.clock.read());
    await delivered();
    expect(textsTo("bob")).toContain(text(1));
    const tokensBefore = wecom.callsTo("gettoken").length;
    wecom.expireTokenOnNextCall();
    await enqueue(f.db, [message(2)], f.clock.read());
    // The fake answers before the worker marks the row sent: wait for the worker, not for the fake.
    await delivered();
    expect(textsTo("bob")).toContain(text(2));
    expect(wecom.callsTo("message/send").some((c) => c.response.errcode === 42001)).toBe(true);
    expect(wecom.callsTo("gettoken").length).toBe(tokensBefore + 1);
    const rows = await f.db.prisma.outboxMessage.findMany({ where: { payload: { contains: "token test message" } } });
    expect(rows.map((r) => [r.status, r.attempts, r.lastError])).toEqual([["sent", 0, null], ["sent", 0, null]]);
  });

  it("ignores a re-pushed message and a re-pushed event: no second effect", async () => {
    const { id, rep } = await handOff("Repush Co");
    const msgId = nextMsgId();
    expect((await say(rep, `lead show #${id}`, msgId)).status).toBe(200);
    await textSent(rep, (text) => text.includes("Repush Co") && text.includes(`#${id}`));
    await delivered();
    const before = await counts();
    const shown = textsTo(rep).length;
    expect(await say(rep, `lead show #${id}`, msgId)).toEqual({ status: 200, text: "" });
    await delivered();
    expect(await counts()).toEqual(before);
    expect(textsTo(rep)).toHaveLength(shown);

    const { card } = await cardOf(rep, id);
    const at = Math.floor(Date.now() / 1000);
    expect((await click(rep, card, `lead accept #${id}`, `rc-repush-${id}`, at)).status).toBe(200);
    await sent("message/update_template_card", (c) => c.body.response_code === `rc-repush-${id}`);
    await delivered();
    const afterClick = await counts();
    const events = await f.db.prisma.stageEvent.count({ where: { accountId: id } });
    expect(await click(rep, card, `lead accept #${id}`, `rc-repush-${id}`, at)).toEqual({ status: 200, text: "" });
    await delivered();
    expect(await counts()).toEqual(afterClick);
    expect(await f.db.prisma.stageEvent.count({ where: { accountId: id } })).toBe(events);
    expect(wecom.callsTo("message/update_template_card").filter((c) => c.body.response_code === `rc-repush-${id}`)).toHaveLength(1);
  });

  it("answers a stranger passively, encrypted for our corp, in Chinese, and stores only their request for access", async () => {
    const before = await counts();
    const answer = await postCallback(bot.url, APP, textMessage(APP, { from: "NotAMember", content: "lead mine", msgId: nextMsgId() }));
    expect(answer.status).toBe(200);
    const opened = openPassiveReply(APP, answer.text);
    expect(opened.valid).toBe(true);
    expect(opened.receiveId).toBe(APP.corpId);
    expect(opened.message).toContain("<ToUserName><![CDATA[NotAMember]]></ToUserName>");
    expect(opened.message).toContain("已请管理员为你开通");
    await delivered();
    expect(await f.db.prisma.accessRequest.count({ where: { platform: "wecom", externalId: "NotAMember", status: "pending" } })).toBe(1);
    // One card to the admin, and nothing else: no member, account or event.
    expect(await counts()).toEqual({ ...before, outbox: (before as Record<string, number>).outbox! + 1 });
  });

  describe("refuses bad input with a 4xx, writes nothing and shows no stack trace", () => {
    const valid = () => textMessage(APP, { from: userOf("mia"), content: "lead new Forged Inc", msgId: nextMsgId() });
    const signedBody = (encrypted: string) => ({ encrypted, query: signedQuery(APP, encrypted), body: envelope(APP, encrypted) });
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Encrypt>&lol3;</Encrypt></xml>`;
    const cases: [string, () => Promise<{ status: number; text: string }>, number][] = [
      ["a wrong signature", () => postCallback(bot.url, APP, valid(), { query: signedQuery(APP, sealFor(APP, valid()), { signature: "f".repeat(40) }) }), 401],
      ["no signature at all", () => fetch(`${bot.url}/wecom/callback`, { method: "POST", body: envelope(APP, sealFor(APP, valid())) }).then(async (r) => ({ status: r.status, text: await r.text() })), 400],
      ["garbage Encrypt", () => postCallback(bot.url, APP, "", signedBody("this is %% not base64!!")), 400],
      ["truncated Encrypt", () => postCallback(bot.url, APP, "", signedBody(sealFor(APP, valid()).slice(0, -12))), 400],
      ["bad padding", () => {
        const plain = plaintextLayout(valid(), APP.corpId);
        const padded = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 0)]);
        padded[padded.length - 1] = 7;
        return postCallback(bot.url, APP, "", signedBody(encryptRaw(APP, padded)));
      }, 400],
      ["a wrong corp id", () => postCallback(bot.url, APP, "", signedBody(sealFor(APP, valid(), "wwsomeoneelse00001"))), 401],
      ["a huge body", () => postCallback(bot.url, APP, valid(), { body: `<xml><Encrypt><![CDATA[${"A".repeat(100 * 1024)}]]></Encrypt></xml>` }), 413],
      ["an XML bomb in the envelope", () => postCallback(bot.url, APP, valid(), { body: bomb }), 400],
      ["an XML bomb inside the encrypted message", () => postCallback(bot.url, APP, bomb.replace("<Encrypt>&lol3;</Encrypt>", "<MsgType>&lol3;</MsgType>")), 400],
      ["a body that is not XML", () => postCallback(bot.url, APP, valid(), { body: "{\"Encrypt\": \"x\"}" }), 400],
      ["an encrypted message that is not XML", () => postCallback(bot.url, APP, "lead new Forged Inc"), 400],
    ];
    for (const [name, send, status] of cases) {
      it(name, async () => {
        const before = await counts();
        const answer = await send();
        expect(answer.status).toBe(status);
        expect(answer.text).not.toMatch(/at .*\.(ts|js):\d+/);
        expect(answer.text.length).toBeLessThan(100);
        await delivered();
        expect(await counts()).toEqual(before);
      });
    }
  });
});
