import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { createAccount } from "../../src/store/accounts.js";
import { findMember, updateMember, upsertMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { blockActionBody, commandBody, FakeSlack, postToBot, slackUser, type SlackCall } from "../support/fake-slack.js";
import { FakeWecom, openPassiveReply, postCallback, textMessage, TEST_WECOM_APP } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const FORM = "application/x-www-form-urlencoded";
const APP = TEST_WECOM_APP;
const DAY = 24 * 60 * 60 * 1000;

type Block = { type: string; elements?: { type: string; action_id: string; value?: string }[] };

describe.each(testDatabases())("access on request, through the real server ($name)", (database) => {
  let f: Fixture;
  let slack: FakeSlack;
  let wecom: FakeWecom;
  let bot: RunningBot;
  let msgIds = 7_000_000_000_000_000;
  const events = () => `${bot.url}/slack/events`;
  const delivered = () => bot.worker.idle();

  beforeAll(async () => {
    f = await openFixture(await database.url());
    await updateMember(f.db, "admin", { slackUserId: "U_ADMIN" });
    await updateMember(f.db, "sam", { slackUserId: "U_SAM" });
    // A second admin, on WeCom only: cards for people who ask on WeCom go to the admins there.
    await upsertMember(f.db, { handle: "wendy", displayName: "Wendy", teamKey: "cs", role: "admin", locale: "zh-CN", wecomUserId: "WendyW" });
    slack = new FakeSlack();
    await slack.start();
    slack.users.set("U_LI", slackUser("U_LI", "Li Wei", { locale: "zh-CN" }));
    slack.users.set("U_JO", slackUser("U_JO", "Jo Park"));
    wecom = new FakeWecom(APP);
    await wecom.start();
    bot = await startBot(f.ctx, {
      port: 0, host: "127.0.0.1", outboxIntervalMs: 25, scheduler: false,
      slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl },
      wecom: { ...APP, apiUrl: wecom.url },
    }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await wecom?.stop();
    await f?.close();
  });

  const command = async (userId: string, name: string, text: string) => {
    const answer = await postToBot(events(), SECRET, commandBody(slack, { command: name, text, userId }), FORM);
    expect(answer.status).toBe(200);
    return String(answer.json().text);
  };
  const cardsTo = (channel: string, person: string): SlackCall[] =>
    slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel && String(c.body.text).includes(person) && String(c.body.text).includes("asks to use funnelbot"));
  const buttonsOf = (call: SlackCall) => (call.body.blocks as Block[]).flatMap((b) => b.elements ?? []).filter((e) => e.type === "button");
  const click = (userId: string, call: SlackCall, value: string) => {
    const button = buttonsOf(call).find((e) => e.value === value)!;
    expect(button, `a button running ${value}`).toBeDefined();
    return postToBot(events(), SECRET, blockActionBody(slack, { userId, channel: String(call.body.channel), messageTs: String(call.response.ts), actionId: button.action_id, value }), FORM);
  };
  const requestOf = async (externalId: string) => f.db.prisma.accessRequest.findFirstOrThrow({ where: { externalId } });

  it("a stranger on Slack asks once; the admin gets one card; a repeat asks nobody; a manager cannot grant into another team; the admin's click makes them a member who is told", async () => {
    // Li's Slack is in Chinese (users.info with include_locale): the answer is too.
    expect(await command("U_LI", "/lead", "mine")).toContain("已请管理员为你开通");
    await delivered();
    const [card, ...more] = cardsTo("U_ADMIN", "Li Wei");
    expect(more).toHaveLength(0);
    const request = await requestOf("U_LI");
    expect(request).toMatchObject({ platform: "slack", displayName: "Li Wei", locale: "zh-CN", status: "pending" });
    expect(String(card!.body.text)).toContain("Slack U_LI");
    expect(buttonsOf(card!).map((b) => b.value)).toEqual([
      ...f.ctx.playbook.teams.map((t) => `funnel access grant ${request.id} ${t.key} rep`), `funnel access ignore ${request.id}`,
    ]);
    // The WeCom-only admin hears nothing of a Slack request: the Slack admins do.
    expect(wecom.sentTo("WendyW")).toHaveLength(0);

    // Asked again, by command and by a button: pending, and the admins are not asked again.
    expect(await command("U_LI", "/lead", "accept 3")).toContain("正在等待管理员处理");
    await delivered();
    expect(cardsTo("U_ADMIN", "Li Wei")).toHaveLength(1);

    // Sam manages sales: he cannot put Li into marketing, and nothing changes.
    expect(await command("U_SAM", "/funnel", `access grant ${request.id} marketing rep`)).toContain("Managers change only the reps and managers of their own team");
    expect(await findMember(f.db, { slackUserId: "U_LI" })).toBeNull();
    expect((await requestOf("U_LI")).status).toBe("pending");

    // The admin clicks [Add as rep in Sales].
    expect((await click("U_ADMIN", card!, `funnel access grant ${request.id} sales rep`)).status).toBe(200);
    const told = await slack.waitFor("response_url", (c) => String(c.body.text).includes("Li Wei"));
    expect(String(told.body.text)).toContain("Added Li Wei to Sales as sales rep; they have been told.");
    const member = await findMember(f.db, { slackUserId: "U_LI" });
    expect(member).toMatchObject({ displayName: "Li Wei", teamKey: "sales", role: "rep", locale: "zh-CN", active: true });
    expect(await requestOf("U_LI")).toMatchObject({ status: "granted", decidedById: f.members.admin!.id });
    const welcome = await slack.waitFor("chat.postMessage", (c) => c.body.channel === "U_LI");
    expect(String(welcome.body.text)).toContain("已开通:Ada 已将你加入 funnelbot「销售部」,角色:销售。输入 `线索 帮助`");
    // Now a member, Li's commands run as Li; a second click on the card says who granted it.
    expect(await command("U_LI", "/lead", "mine")).not.toContain("管理员");
    expect((await click("U_ADMIN", card!, `funnel access grant ${request.id} marketing rep`)).status).toBe(200);
    await slack.waitFor("response_url", (c) => String(c.body.text).includes(`Request #${request.id} was already granted by Ada`));
    expect((await findMember(f.db, { slackUserId: "U_LI" }))!.teamKey).toBe("sales");
  });

  it("an ignored request is told so, and may ask again after a day, not before", async () => {
    expect(await command("U_JO", "/account", "tasks")).toContain("I've asked the admins to add you");
    await delivered();
    const request = await requestOf("U_JO");
    expect(await command("U_SAM", "/funnel", `access ignore ${request.id}`)).toContain(`Ignored Jo Park's request (#${request.id})`);
    const told = await slack.waitFor("chat.postMessage", (c) => c.body.channel === "U_JO");
    expect(String(told.body.text)).toContain("did not add you this time");
    expect(await findMember(f.db, { slackUserId: "U_JO" })).toBeNull();

    expect(await command("U_JO", "/lead", "mine")).toContain("is with the admins");
    await delivered();
    expect(cardsTo("U_ADMIN", "Jo Park")).toHaveLength(1);
    f.clock.advance(DAY + 60_000);
    expect(await command("U_JO", "/lead", "mine")).toContain("I've asked the admins");
    await delivered();
    expect(cardsTo("U_ADMIN", "Jo Park")).toHaveLength(2);
    expect(await requestOf("U_JO")).toMatchObject({ id: request.id, status: "pending", decidedById: null });
  });

  it("someone known by email (imported from WeCom) who first uses Slack is recognised by it: no request, the command runs as them", async () => {
    await updateMember(f.db, "carl", { email: "kim.carl@example.com", wecomUserId: "KimCarl" });
    slack.users.set("U_CARL", slackUser("U_CARL", "Kim Carl"));
    const cards = slack.callsTo("chat.postMessage").length;
    const text = await command("U_CARL", "/account", "tasks");
    expect(text).not.toContain("admin");
    expect(await findMember(f.db, { slackUserId: "U_CARL" })).toMatchObject({ handle: "carl", wecomUserId: "KimCarl" });
    expect(await f.db.prisma.accessRequest.count({ where: { externalId: "U_CARL" } })).toBe(0);
    await delivered();
    expect(slack.callsTo("chat.postMessage").slice(cards).filter((c) => String(c.body.text).includes("asks to use funnelbot"))).toHaveLength(0);
    // A Slack account whose email nobody here has is still a stranger who asks.
    slack.users.set("U_NEW", slackUser("U_NEW", "New Person"));
    expect(await command("U_NEW", "/account", "tasks")).toContain("I've asked the admins to add you");
  });

  it("a stranger on WeCom hears in Chinese, the WeCom admin gets the card there and grants it by text", async () => {
    const say = (from: string, content: string) => postCallback(bot.url, APP, textMessage(APP, { from, content, msgId: String((msgIds += 1)) }));
    const answer = await say("LiLei", "线索 我的");
    expect(answer.status).toBe(200);
    const passive = openPassiveReply(APP, answer.text);
    expect(passive.valid).toBe(true);
    expect(passive.message).toContain("<ToUserName><![CDATA[LiLei]]></ToUserName>");
    expect(passive.message).toContain("已请管理员为你开通");
    await delivered();
    const request = await requestOf("LiLei");
    const cards = wecom.sentTo("WendyW").map((c) => String((c.body.text as { content: string } | undefined)?.content ?? ""));
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain("LiLei(企业微信 LiLei)申请使用 funnelbot");
    expect(cards[0]).toContain(`→ 以销售加入销售部:漏斗 申请 授权 ${request.id} sales 成员`);
    // A repeat is answered, not passed on.
    expect(openPassiveReply(APP, (await say("LiLei", "你好")).text).message).toContain("正在等待管理员处理");
    await delivered();
    expect(wecom.sentTo("WendyW")).toHaveLength(1);

    // Wendy types the command her card shows.
    expect((await say("WendyW", `漏斗 申请 授权 ${request.id} cs`)).status).toBe(200);
    await delivered();
    expect(await findMember(f.db, { wecomUserId: "LiLei" })).toMatchObject({ teamKey: "cs", role: "rep", locale: "zh-CN" });
    const toLi = wecom.sentTo("LiLei").map((c) => String((c.body.text as { content: string }).content));
    expect(toLi.some((text) => text.includes("已开通:Wendy 已将你加入 funnelbot"))).toBe(true);
    const toWendy = wecom.sentTo("WendyW").map((c) => String((c.body.text as { content: string }).content));
    expect(toWendy.some((text) => text.includes("已将 LiLei 加入"))).toBe(true);
  });

  it("a member who left is a stranger to their very next command on an account, asks for access, and changes nothing; back, they act again", async () => {
    await updateMember(f.db, "bob", { slackUserId: "U_BOB", wecomUserId: "BobW" });
    slack.users.set("U_BOB", slackUser("U_BOB", "Bob Left"));
    const mql = async () => {
      const made = await createAccount(f.db, {
        company: `Left Co ${(msgIds += 1)}`, domain: null, email: null, source: "web", region: null, industry: null, amount: 1000, stage: "MQL",
        ownerId: f.members.bob!.id, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
      });
      if (made.kind !== "created") throw new Error("not created");
      return made.id;
    };
    const stage = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage;
    const [first, second] = [await mql(), await mql()];
    expect(await command("U_BOB", "/lead", `accept #${first}`)).not.toContain("admin");
    expect(await stage(first)).toBe("SAL");

    await updateMember(f.db, "bob", { active: false });
    const events = await f.db.prisma.stageEvent.count();
    expect(await command("U_BOB", "/lead", `accept #${second}`)).toContain("I've asked the admins to add you");
    expect(await stage(second)).toBe("MQL");
    expect(await f.db.prisma.stageEvent.count()).toBe(events);
    expect((await requestOf("U_BOB")).displayName).toBe("Bob Left");
    // On WeCom too: the same change by text is a stranger's request, answered passively.
    const passive = openPassiveReply(APP, (await postCallback(bot.url, APP, textMessage(APP, { from: "BobW", content: `lead accept #${second}`, msgId: String((msgIds += 1)) }))).text);
    expect(passive.message).toContain("已请管理员为你开通");
    expect(await stage(second)).toBe("MQL");
    expect(await f.db.prisma.stageEvent.count()).toBe(events);

    await updateMember(f.db, "bob", { active: true });
    expect(await command("U_BOB", "/lead", `accept #${second}`)).not.toContain("admin");
    expect(await stage(second)).toBe("SAL");
  });
});
