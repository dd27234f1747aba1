import Sqlite from "better-sqlite3";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { sqliteFileFromUrl } from "../../src/config/database-url.js";
import { createLead } from "../../src/services/create-lead.js";
import { orBusy, workingOnIt } from "../../src/platforms/busy.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot } from "../support/fake-slack.js";
import { FakeWecom, openPassiveReply, postCallback, textMessage, type WecomTestApp } from "../support/fake-wecom.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const SECRET = "busy-signing-secret-0123456789ab";
const FORM = "application/x-www-form-urlencoded";
const APP: WecomTestApp = { corpId: "wwbusy00000000001", agentId: 1000005, secret: "s", token: "busytoken", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" };
// Slack gives up on an ack after 3 s; the busy answer must come well inside that.
const SLACK_DEADLINE_MS = 3_000;

describe("a command that cannot get the database in time", () => {
  let f: Fixture;
  let url: string;
  let slack: FakeSlack;
  let wecom: FakeWecom;
  let bot: RunningBot;

  beforeAll(async () => {
    url = freshSqliteUrl();
    // The wait is configuration (DATABASE_WAIT_MS in production): lowered here so the test need not sit out 10 s.
    f = await openFixture(url, undefined, { waitMs: 300 });
    for (const handle of ["alice", "chen"]) await updateMember(f.db, handle, { slackUserId: `U_${handle.toUpperCase()}`, wecomUserId: `W_${handle}` });
    slack = new FakeSlack();
    wecom = new FakeWecom(APP);
    await slack.start();
    await wecom.start();
    bot = await startBot(f.ctx, {
      port: 0, host: "127.0.0.1", outboxIntervalMs: 25, scheduler: false,
      slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl }, wecom: { ...APP, apiUrl: wecom.url },
    }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await wecom?.stop();
    await f?.close();
  });

  /** An MQL handed to `handle`, ready to accept. */
  let leads = 0;
  async function mqlOf(handle: string, company: string): Promise<number> {
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `busy-${(leads += 1)}.example`, source: "web", amount: 5000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const id = created.value.accountId;
    expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${id} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    await f.db.prisma.account.update({ where: { id }, data: { ownerId: f.members[handle]!.id } });
    await bot.worker.idle();
    return id;
  }

  /** SQLite's write lock, held by another connection (another process, in effect) until released. */
  function holdWriteLock(): () => void {
    const other = new Sqlite(sqliteFileFromUrl(url));
    other.exec("BEGIN IMMEDIATE");
    return () => {
      other.exec("ROLLBACK");
      other.close();
    };
  }

  const slackCommand = (handle: string, text: string) =>
    postToBot(`${bot.url}/slack/events`, SECRET, commandBody(slack, { command: "/lead", text, userId: `U_${handle.toUpperCase()}` }), FORM);
  const stageOf = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage;

  it("Slack: answers \"try again\" in the member's language within 3 s, writes nothing, and the same command works after", async () => {
    const [en, zh] = [await mqlOf("alice", "Busy Slack Co"), await mqlOf("chen", "忙碌公司")];
    const before = await tableCounts(f.db);
    const release = holdWriteLock();
    try {
      const started = Date.now();
      const answer = await slackCommand("alice", `accept #${en}`);
      expect(Date.now() - started).toBeLessThan(SLACK_DEADLINE_MS);
      expect(answer.status).toBe(200);
      expect(answer.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/too busy.*try again/) });
      const zhAnswer = await slackCommand("chen", `接受 #${zh}`);
      expect(zhAnswer.status).toBe(200);
      expect(String(zhAnswer.json().text)).toContain("请稍后重试");
    } finally {
      release();
    }
    expect(await tableCounts(f.db)).toEqual(before);
    expect([await stageOf(en), await stageOf(zh)]).toEqual(["MQL", "MQL"]);
    expect(String((await slackCommand("alice", `accept #${en}`)).json().text)).toMatch(/Sales accepted/);
    expect(await stageOf(en)).toBe("SAL");
  });

  it("WeCom: answers \"try again\" passively (queueing an answer would need the database too) and writes nothing", async () => {
    const id = await mqlOf("chen", "忙碌企业微信公司");
    const before = await tableCounts(f.db);
    const release = holdWriteLock();
    let answer: { status: number; text: string };
    try {
      answer = await postCallback(bot.url, APP, textMessage(APP, { from: "W_chen", content: `线索 接受 #${id}`, msgId: "7000000000000000001" }));
    } finally {
      release();
    }
    expect(answer.status).toBe(200);
    const opened = openPassiveReply(APP, answer.text);
    expect(opened.valid).toBe(true);
    expect(opened.message).toContain("<ToUserName><![CDATA[W_chen]]></ToUserName>");
    expect(opened.message).toContain("请稍后重试");
    expect(await tableCounts(f.db)).toEqual(before);
    expect(await stageOf(id)).toBe("MQL");
    // Typed again (a new message), it goes through.
    expect((await postCallback(bot.url, APP, textMessage(APP, { from: "W_chen", content: `线索 接受 #${id}`, msgId: "7000000000000000002" }))).status).toBe(200);
    expect(await stageOf(id)).toBe("SAL");
  });

  it("answers in both languages when the database was too slow even to read who is asking", async () => {
    const timedOut = Object.assign(new Error("timeout exceeded when trying to connect"), {});
    const unknown = await orBusy(f.ctx, Promise.reject(timedOut), () => undefined);
    expect(unknown.text).toMatch(/too busy.*try again/);
    expect(unknown.text).toContain("请稍后重试");
    expect(unknown.errorCode).toBe("busy");
    expect((await orBusy(f.ctx, Promise.reject(timedOut), () => "zh-CN")).text).not.toMatch(/too busy/);
    expect([workingOnIt(undefined), workingOnIt("en"), workingOnIt("zh-CN")]).toEqual(["Working on it… · 处理中…", "Working on it…", "处理中…"]);
    // Any other failure is not "busy": it still throws.
    await expect(orBusy(f.ctx, Promise.reject(new Error("boom")), () => undefined)).rejects.toThrow("boom");
  });
});
