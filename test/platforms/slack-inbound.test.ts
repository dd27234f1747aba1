// What /slack/events refuses before Bolt sees a byte: oversized, unsigned, stale or future requests.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { SLACK } from "../../src/platforms/limits.js";
import { updateMember } from "../../src/store/members.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot, slackHeaders } from "../support/fake-slack.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";
import { partialPost } from "../support/partial-post.js";

const SECRET = "inbound-signing-secret-0123456789";
const FORM = "application/x-www-form-urlencoded";
const MB = 1024 * 1024;
const now = () => Math.floor(Date.now() / 1000);

describe("Slack: /slack/events checks size and signature before it reads or parses a body", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  const events = () => `${bot.url}/slack/events`;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "mia", { slackUserId: "U_MIA" });
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl }, outboxIntervalMs: 60_000, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("refuses a timestamp from the future as it refuses a stale one: 401, nothing written", async () => {
    const before = await tableCounts(f.db);
    for (const at of [now() + 10 * 60, now() + 100 * 365 * 24 * 3600, now() - 10 * 60]) {
      const body = commandBody(slack, { command: "/lead", text: `new Future ${at} Ltd`, userId: "U_MIA" });
      const answer = await postToBot(events(), SECRET, body, FORM, slackHeaders(SECRET, body, FORM, at));
      expect({ at: at - now(), status: answer.status }).toEqual({ at: at - now(), status: 401 });
    }
    expect(await tableCounts(f.db)).toEqual(before);
    // Within the window either way (Slack's clock a little ahead of ours) is still fine.
    const body = commandBody(slack, { command: "/lead", text: "new Near Future Ltd", userId: "U_MIA" });
    const near = await postToBot(events(), SECRET, body, FORM, slackHeaders(SECRET, body, FORM, now() + 60));
    expect(near.status).toBe(200);
    expect(await f.db.prisma.account.count({ where: { company: "Near Future Ltd" } })).toBe(1);
  });

  it("answers an oversized Content-Length with 413 at once and hangs up, without waiting for the body", async () => {
    for (const declared of [99_999_999_999, 64 * MB]) {
      const seen = await partialPost(events(), slackHeaders(SECRET, "", FORM), { declared, total: 32 * MB });
      expect({ declared, status: seen.status, closed: seen.closed }).toEqual({ declared, status: 413, closed: true });
      expect(seen.sentBeforeAnswer).toBeLessThan(32 * MB);
    }
    const justOver = await partialPost(events(), slackHeaders(SECRET, "", FORM), { declared: SLACK.requestBodyBytes + 1, total: 0 });
    expect(justOver).toMatchObject({ status: 413, closed: true });
  });

  it("answers twenty large unsigned, stale or future posts before their bodies are uploaded, holding none of them", async () => {
    const cases = [
      { status: 413, declared: 32 * MB, headers: { "content-type": FORM } },
      { status: 401, declared: null, headers: { "content-type": FORM } },
      { status: 401, declared: null, headers: slackHeaders(SECRET, "", FORM, now() - 10 * 60) },
      { status: 401, declared: null, headers: slackHeaders(SECRET, "", FORM, now() + 10 * 60) },
    ];
    const rss = process.memoryUsage.rss();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => cases[i % cases.length]!).map(async (c) => ({
      expected: c.status, seen: await partialPost(events(), c.headers, { declared: c.declared, total: 32 * MB }),
    })));
    for (const { expected, seen } of answers) {
      expect(seen.status).toBe(expected);
      expect(seen.sentBeforeAnswer).toBeLessThan(32 * MB);
      expect(seen.closed).toBe(true);
    }
    // Bodies buffered before the signature check would be 20 × 10 MB here.
    expect(process.memoryUsage.rss() - rss).toBeLessThan(64 * MB);
  });

  it("reads a signed-looking body of unknown length only up to the cap: 413 once it passes 1 MB, never the whole upload", async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => partialPost(events(), slackHeaders("not-the-secret", "x", FORM), { declared: null, total: 32 * MB })));
    for (const seen of answers) {
      expect(seen.status).toBe(413);
      expect(seen.sentBeforeAnswer).toBeLessThan(4 * MB);
      expect(seen.closed).toBe(true);
    }
    // A forged body under the cap is read and refused on its signature.
    const forged = await postToBot(events(), "not-the-secret", commandBody(slack, { command: "/lead", text: "mine", userId: "U_MIA" }), FORM);
    expect(forged.status).toBe(401);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it("still answers Slack's unsigned SSL check, and nothing else unsigned", async () => {
    const check = await fetch(events(), { method: "POST", body: "ssl_check=1&token=legacy", headers: { "content-type": FORM } });
    expect(check.status).toBe(200);
    const smuggled = await fetch(events(), { method: "POST", body: "ssl_check=1&payload=%7B%7D", headers: { "content-type": FORM } });
    expect(smuggled.status).toBe(401);
  });
});
