import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMember } from "../../src/store/members.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";
import { startServer, type ServerProcess } from "../support/processes.js";

const SECRET = "startup-signing-secret-0123456789";

// Slack's Web API unreachable while the server starts (an outage, a proxy not up yet). Bolt, given a token,
// calls auth.test in its constructor and keeps the promise: its rejection went unhandled and ended the
// process, and would have failed every later request. The real server in a child process, as deployed.
describe("Slack's API failing when the server starts", () => {
  let f: Fixture;
  let url: string;
  let slack: FakeSlack;
  let server: ServerProcess | null = null;
  beforeAll(async () => {
    url = freshSqliteUrl();
    f = await openFixture(url);
    await upsertMember(f.db, { handle: "alice", displayName: "Alice", teamKey: "sales", role: "rep", locale: "en", slackUserId: "U_ALICE" });
    slack = new FakeSlack();
    await slack.start();
  });
  afterAll(async () => {
    await server?.kill();
    await slack?.stop();
    await f?.close();
  });

  it("starts anyway, answers commands meanwhile, and asks Slack again until it answers", async () => {
    // Fails at start-up and again on the first command's attempt; the second command's attempt gets through.
    slack.failNext("auth.test", 2, { status: 503 });
    server = await startServer("src/main.ts", {
      DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-startup", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PLAYGROUND: "0", LOG_LEVEL: "silent", FUNNEL_DIGEST_TIME: "23:59",
    });
    const mine = () => postToBot(`${server!.url}/slack/events`, SECRET, commandBody(slack, { command: "/lead", text: "mine", userId: "U_ALICE" }), "application/x-www-form-urlencoded");
    const first = await mine();
    expect(slack.callsTo("auth.test")).toHaveLength(0);
    const second = await mine();
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      // Bolt answers an empty 200 when authorization fails; a real answer has the bot's text.
      expect(String(answer.json().text ?? "")).not.toBe("");
    }
    expect(slack.callsTo("auth.test")).toHaveLength(1);
    expect(server.child.exitCode).toBeNull();
  });
});
