import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { updateMember } from "../../src/store/members.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeSlack } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

describe("Slack in Socket Mode (SLACK_APP_TOKEN set)", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "chen", { slackUserId: "U_CHEN" });
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", appToken: "xapp-1-test", apiUrl: slack.apiUrl }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("opens the socket with the app token and answers a slash command in the envelope's ack", async () => {
    await slack.socketConnected();
    expect(slack.callsTo("apps.connections.open")[0]!.token).toBe("xapp-1-test");
    const ack = await slack.sendEnvelope("slash_commands", {
      token: "legacy", team_id: "T0001", channel_id: "C_SALES", user_id: "U_CHEN", command: "/lead", text: "接受 #424242",
      response_url: slack.responseUrl("socket"), trigger_id: "trigger.socket", api_app_id: "A0001",
    });
    expect(ack).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("没有找到") });
    // No HTTP route in Socket Mode: nothing listens at /slack/events.
    expect((await fetch(`${bot.url}/slack/events`, { method: "POST", body: "" })).status).toBe(404);
  });
});
