import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { isPng, someFunnel } from "../support/charts.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot } from "../support/fake-slack.js";
import { FakeWecom, postCallback, textMessage, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const SECRET = "c".repeat(32);
const FORM = "application/x-www-form-urlencoded";

describe("/funnel chart in Slack: the picture uploaded into the conversation it was asked in", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "sam", { slackUserId: "U_SAM" });
    await updateMember(f.db, "chen", { slackUserId: "U_CHEN" });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    await someFunnel(f, ["Asked One", "Asked Two"]);
    slack = new FakeSlack();
    await slack.start();
    // A chart answers in the ack here, whatever the load: the renderer's process starting cold on a busy test
    // machine can pass the 2 s budget (then it acks "working…" and follows up: the late path slack.test.ts tests).
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl, ackBudgetMs: 20_000 }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
    await bot.worker.idle();
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  const ask = (user: string, text: string, channelId: string) =>
    postToBot(`${bot.url}/slack/events`, SECRET, commandBody(slack, { command: "/funnel", text, userId: user, channelId }), FORM);

  it("acks in words and shares one PNG into the channel through the upload flow, retrying a failed completion once", async () => {
    slack.failNext("files.completeUploadExternal", 1, { status: 200, error: "internal_error" });
    const acked = await ask("U_SAM", "chart sales 6", "C_DEALS");
    expect(acked.status).toBe(200);
    expect(acked.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("the picture follows") });
    await bot.worker.idle();
    const waiting = await f.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "pending" } });
    expect(waiting).toMatchObject({ targetKind: "response", target: "slack C_DEALS U_SAM", lastError: expect.stringContaining("internal_error") });
    f.clock.advance(10 * 60_000);
    await bot.worker.idle();
    const shared = slack.shared.filter((s) => s.channel === "C_DEALS");
    expect(shared).toHaveLength(1);
    expect(isPng(shared[0]!.bytes)).toBe(true);
    expect(shared[0]!.filename).toMatch(/^funnel-sales-.*\.png$/);
    expect(shared[0]!.title).toContain("Sales");
    expect(slack.callsTo("files.completeUploadExternal").at(-1)!.body).toMatchObject({ channel_id: "C_DEALS" });
    // Each attempt ran the whole flow: a URL, the bytes, the completion.
    expect(slack.callsTo("files.getUploadURLExternal")).toHaveLength(2);
    expect(slack.callsTo("upload")).toHaveLength(2);
    expect(await f.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });

  it("answers in the app's DM in Chinese, and sends the picture to the asker when the bot is not in the channel", async () => {
    const dm = await ask("U_CHEN", "图表", "D_CHEN");
    expect(dm.json()).toMatchObject({ text: expect.stringContaining("图片随后发到本会话") });
    await bot.worker.idle();
    expect(slack.shared.filter((s) => s.channel === "D_CHEN")).toHaveLength(1);
    expect(slack.shared.find((s) => s.channel === "D_CHEN")!.title).toContain("漏斗一览");

    slack.notIn.add("C_ELSEWHERE");
    await ask("U_SAM", "chart", "C_ELSEWHERE");
    await bot.worker.idle();
    expect(slack.shared.filter((s) => s.channel === "C_ELSEWHERE")).toHaveLength(0);
    // Shared to the user by `channels`, which takes user ids (channel_id takes a conversation's).
    expect(slack.shared.filter((s) => s.channel === "U_SAM")).toHaveLength(1);
    expect(slack.callsTo("files.completeUploadExternal").at(-1)!.body).toMatchObject({ channels: "U_SAM" });
    expect(await f.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });

  it("refuses an unknown team in words, with nothing queued", async () => {
    const before = await f.db.prisma.outboxMessage.count();
    const refused = await ask("U_SAM", "chart nowhere", "C_SALES");
    expect(String(refused.json().text)).toMatch(/nowhere/);
    expect(await f.db.prisma.outboxMessage.count()).toBe(before);
  });
});

const APP: WecomTestApp = { corpId: "wwchartcmd00000001", agentId: 1000003, secret: "chart-cmd-secret", token: "chartcmdtoken", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };

describe("漏斗 图表 in WeCom: media/upload, then an image message to the asker", () => {
  let f: Fixture;
  let wecom: FakeWecom;
  let bot: RunningBot;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "chen", { wecomUserId: "ChenChen" });
    await someFunnel(f, ["Asked One", "Asked Two"]);
    wecom = new FakeWecom(APP);
    await wecom.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", wecom: { ...APP, apiUrl: wecom.url }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
    await bot.worker.idle();
  });
  afterAll(async () => {
    await bot?.close();
    await wecom?.stop();
    await f?.close();
  });

  it("uploads the PNG and sends it as an image to the UserID that asked, once, after a busy upload is retried", async () => {
    wecom.failNext("media/upload", 1, -1, "system busy");
    const answer = await postCallback(bot.url, APP, textMessage(APP, { from: "ChenChen", content: "漏斗 图表 sales", msgId: "7001" }));
    expect(answer.status).toBe(200);
    await bot.worker.idle();
    expect(await f.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "pending" } })).toMatchObject({ targetKind: "response", target: "wecom ChenChen" });
    f.clock.advance(10 * 60_000);
    await bot.worker.idle();
    const images = wecom.sentTo("ChenChen").filter((c) => c.body.msgtype === "image");
    expect(images).toHaveLength(1);
    const mediaId = String((images[0]!.body.image as { media_id: string }).media_id);
    expect(isPng(wecom.media.get(mediaId)!)).toBe(true);
    expect(wecom.callsTo("media/upload").map((c) => c.response.errcode)).toEqual([-1, 0]);
    // The same message pushed again by WeCom changes nothing.
    await postCallback(bot.url, APP, textMessage(APP, { from: "ChenChen", content: "漏斗 图表 sales", msgId: "7001" }));
    await bot.worker.idle();
    expect(wecom.sentTo("ChenChen").filter((c) => c.body.msgtype === "image")).toHaveLength(1);
    expect(await f.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });
});
