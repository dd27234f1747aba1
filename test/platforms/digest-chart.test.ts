import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { runDigests } from "../../src/jobs/digests.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { isPng, someFunnel } from "../support/charts.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeSlack } from "../support/fake-slack.js";
import { FakeWecom, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, type Fixture } from "../support/fixture.js";


describe("the digest's chart through Slack's files upload flow", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "sam", { slackUserId: "U_SAM" });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    await upsertTeam(f.db, { key: "marketing", name: "Marketing", slackChannel: "C_MKT", locale: "zh-CN" });
    await someFunnel(f, ["Chart One", "Chart Two"]);
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: "s".repeat(32), apiUrl: slack.apiUrl }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("uploads one PNG per team per day into the team's channel, retrying a failed completion through the outbox", async () => {
    await bot.worker.idle();
    slack.failNext("files.completeUploadExternal", 1, { status: 200, error: "internal_error" });
    const pass = await runDigests(f.ctx, { now: f.clock.read(), workerId: "w1", digestTime: "09:30" });
    expect(pass.sent).toEqual(expect.arrayContaining(["sales", "marketing"]));
    await bot.worker.idle();
    // The failed completion left the chart's row waiting; the digest's text went once.
    const waiting = await f.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "pending" } });
    expect(waiting.lastError).toContain("internal_error");
    f.clock.advance(10 * 60_000);
    await bot.worker.idle();
    // A second pass the same day sends nothing more.
    expect((await runDigests(f.ctx, { now: f.clock.read(), workerId: "w2", digestTime: "09:30" })).sent).toEqual([]);
    await bot.worker.idle();
    for (const channel of ["C_SALES", "C_MKT"]) {
      const files = slack.shared.filter((s) => s.channel === channel);
      expect(files).toHaveLength(1);
      expect(isPng(files[0]!.bytes)).toBe(true);
      const digests = slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel && /daily digest|每日摘要/.test(String(c.body.text)));
      expect(digests).toHaveLength(1);
    }
    // The real flow: a URL and a file id first, the bytes to that URL, then the completion with channel_id.
    const url = slack.callsTo("files.getUploadURLExternal")[0]!;
    expect(url.body).toMatchObject({ filename: expect.stringMatching(/^funnel-.*\.png$/), length: expect.anything() });
    expect(slack.callsTo("upload").length).toBe(slack.callsTo("files.getUploadURLExternal").length);
    expect(slack.callsTo("files.completeUploadExternal").at(-1)!.body).toMatchObject({ channel_id: expect.stringMatching(/^C_/) });
    expect(await f.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
    expect(slack.shared.find((s) => s.channel === "C_MKT")!.title).toContain("漏斗一览");
  });
});

const APP: WecomTestApp = { corpId: "wwchart00000000001", agentId: 1000002, secret: "chart-secret", token: "charttoken", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };
const ROBOT = "robot-key-sales";

describe("the digest's chart through WeCom's media upload and the group robot", () => {
  let f: Fixture;
  let wecom: FakeWecom;
  let bot: RunningBot;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await upsertTeam(f.db, { key: "sales", name: "Sales", wecomRobotKey: ROBOT });
    await upsertTeam(f.db, { key: "marketing", name: "Marketing", wecomChatId: "wrMarketingChat", locale: "zh-CN" });
    await someFunnel(f, ["Chart One", "Chart Two"]);
    wecom = new FakeWecom(APP);
    await wecom.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", wecom: { ...APP, apiUrl: wecom.url }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await wecom?.stop();
    await f?.close();
  });

  it("posts the robot's image message (base64 + md5) and the app chat's image by media_id, once a day, retried", async () => {
    await bot.worker.idle();
    wecom.failNext("media/upload", 1, -1, "system busy");
    await runDigests(f.ctx, { now: f.clock.read(), workerId: "w1", digestTime: "09:30" });
    await bot.worker.idle();
    expect(await f.db.prisma.outboxMessage.count({ where: { status: "pending" } })).toBe(1);
    f.clock.advance(10 * 60_000);
    await bot.worker.idle();
    expect((await runDigests(f.ctx, { now: f.clock.read(), workerId: "w2", digestTime: "09:30" })).sent).toEqual([]);
    await bot.worker.idle();
    expect(wecom.robotImages.filter((i) => i.key === ROBOT)).toHaveLength(1);
    expect(isPng(wecom.robotImages[0]!.bytes)).toBe(true);
    const images = wecom.callsTo("appchat/send").filter((c) => c.body.msgtype === "image" && c.response.errcode === 0);
    expect(images).toHaveLength(1);
    const mediaId = String((images[0]!.body.image as { media_id: string }).media_id);
    expect(isPng(wecom.media.get(mediaId)!)).toBe(true);
    expect(wecom.callsTo("media/upload").map((c) => c.response.errcode)).toEqual([-1, 0]);
    expect(await f.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })).toBe(0);
  });
});
