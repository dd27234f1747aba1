import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackMention } from "../../src/platforms/slack/mentions.js";
import { slackClientOptions } from "../../src/platforms/slack/app.js";
import { slackDirectory } from "../../src/platforms/slack/directory.js";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import type { ServiceContext } from "../../src/services/context.js";
import { runCommand } from "../../src/services/run-command.js";
import { findMember, updateMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { FakeSlack, slackUser } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `U${from + i}`);

describe.each(testDatabases())("members import slack ($name)", (database) => {
  let f: Fixture;
  let slack: FakeSlack;
  let ctx: ServiceContext;
  const sleeps: number[] = [];

  beforeAll(async () => {
    f = await openFixture(await database.url());
    await updateMember(f.db, "alice", { email: "alice.w@example.com" });
    await updateMember(f.db, "bob", { slackUserId: "U1005" });
    slack = new FakeSlack();
    await slack.start();
    // A 200-person channel: two bots, one deactivated account, Alice (known by email), Bob (already a member).
    for (const id of ids(1000, 200)) slack.users.set(id, slackUser(id, `Person ${id.slice(1)}`, { locale: Number(id.slice(1)) % 10 === 7 ? "zh-TW" : "en-US" }));
    slack.users.set("U1001", slackUser("U1001", "Deploy Bot", { is_bot: true }));
    slack.users.set("U1002", slackUser("U1002", "Old Timer", { deleted: true }));
    slack.users.set("U1003", slackUser("U1003", "Alice W", { profile: { email: "Alice.W@example.com" } }));
    slack.users.set("U1199", slackUser("U1199", "Report Bot", { is_bot: true }));
    slack.channels.set("C_BIG", ids(1000, 200));
    for (const id of ids(3000, 20)) slack.users.set(id, slackUser(id, `Later ${id.slice(1)}`));
    slack.channels.set("C_FLAKY", ids(3000, 20));
    const client = new webApi.WebClient("xoxb-test-token", slackClientOptions(slack.apiUrl));
    // Retry-After is honoured exactly; the test records the waits instead of sleeping them.
    const directory = slackDirectory(client, { sleep: async (ms) => void sleeps.push(ms) });
    ctx = { ...f.ctx, directories: { slack: directory } };
  });
  afterAll(async () => {
    await slack?.stop();
    await f?.close();
  });

  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, async () => ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }
  const memberCount = () => f.db.prisma.member.count();
  const identityCount = () => f.db.prisma.memberIdentity.count();

  it("shows the import with --dry-run and writes nothing", async () => {
    const before = [await memberCount(), await identityCount()];
    const dry = await cli(["members", "import", "slack", "--channel", "C_BIG", "--team", "sales", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("Would add 195 to sales, would link 1; 1 already member(s), 3 bot(s) or deactivated skipped.");
    expect([await memberCount(), await identityCount()]).toEqual(before);
  });

  it("imports a 200-person channel across pages, waiting out a 429 midway, with names, languages and emails", async () => {
    let infos = 0;
    let pages = 0;
    slack.failWhen = (method) => {
      if (method === "conversations.members" && ++pages === 2) return { status: 429, retryAfter: 3 };
      if (method === "users.info" && ++infos === 101) return { status: 429, retryAfter: 2 };
      return null;
    };
    sleeps.length = 0;
    const before = await memberCount();
    const run = await cli(["members", "import", "slack", "--channel", "C_BIG", "--team", "sales"]);
    slack.failWhen = null;
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(run.out).toContain("Added 195 to sales, linked 1; 1 already member(s), 3 bot(s) or deactivated skipped.");
    expect(sleeps).toEqual([3000, 2000]);
    expect(await memberCount()).toBe(before + 195);
    // Every page was read: the last person of the second page is there.
    expect(await findMember(f.db, { slackUserId: "U1198" })).toMatchObject({ displayName: "Person 1198", teamKey: "sales", role: "rep", locale: "en", email: "person.1198@example.com" });
    expect((await findMember(f.db, { slackUserId: "U1017" }))!.locale).toBe("zh-CN");
    expect(await findMember(f.db, { slackUserId: "U1001" })).toBeNull();
    expect(await findMember(f.db, { slackUserId: "U1002" })).toBeNull();
    // Alice, matched by email, is one member with a Slack identity now; Bob is left as he was.
    expect(await findMember(f.db, { slackUserId: "U1003" })).toMatchObject({ handle: "alice", teamKey: "sales" });
    expect(await findMember(f.db, { slackUserId: "U1005" })).toMatchObject({ handle: "bob" });

    const again = await cli(["members", "import", "slack", "--channel", "C_BIG", "--team", "sales"]);
    expect(again.out).toContain("Added 0 to sales, linked 0; 197 already member(s)");
    expect(await memberCount()).toBe(before + 195);
  });

  it("names a channel it cannot read and a failure midway, and never half-applies", async () => {
    const before = [await memberCount(), await identityCount()];
    const missing = await cli(["members", "import", "slack", "--channel", "C_NOPE", "--team", "cs"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("conversations.members C_NOPE: Slack says channel_not_found");
    let calls = 0;
    slack.failWhen = (method) => (method === "users.info" && ++calls > 10 ? { status: 500 } : null);
    const broken = await cli(["members", "import", "slack", "--channel", "C_FLAKY", "--team", "cs"]);
    slack.failWhen = null;
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("Nothing was imported.");
    expect([await memberCount(), await identityCount()]).toEqual(before);
    const typo = await cli(["members", "import", "slack", "--channel", "C_FLAKY", "--team", "slaes"]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("--team must be one of");
  });

  it("stops with a clear line and writes nothing when the bot leaves the channel or lacks a scope part way", async () => {
    const before = [await memberCount(), await identityCount()];
    slack.channels.set("C_WIDE", ids(5000, 150));
    for (const id of ids(5000, 150)) slack.users.set(id, slackUser(id, `Wide ${id.slice(1)}`));
    let pages = 0;
    // The first page is read; the bot is removed from the channel before the second.
    slack.failWhen = (method) => (method === "conversations.members" && ++pages === 2 ? { status: 200, error: "not_in_channel" } : null);
    const removed = await cli(["members", "import", "slack", "--channel", "C_WIDE", "--team", "cs"]);
    slack.failWhen = null;
    expect(removed.code).toBe(1);
    expect(removed.err).toBe("conversations.members C_WIDE: Slack says not_in_channel (invite the bot back: /invite @funnelbot, then import again). Nothing was imported.");
    expect([await memberCount(), await identityCount()]).toEqual(before);

    // The channel's pages are read, then users.info needs a scope the token was not given.
    slack.scopes = new Set(["channels:read", "groups:read"]);
    const scoped = await cli(["members", "import", "slack", "--channel", "C_WIDE", "--team", "cs"]);
    slack.scopes = null;
    expect(scoped.code).toBe(1);
    expect(scoped.err).toBe("users.info U5000: the bot token lacks the users:read scope; add it to the app and reinstall it. Nothing was imported.");
    expect(slack.callsTo("conversations.members").filter((c) => c.body.channel === "C_WIDE" && c.response.ok).length).toBeGreaterThanOrEqual(3);
    expect([await memberCount(), await identityCount()]).toEqual(before);
  });

  it("fills a newcomer's real name, language and email when an admin adds them by Slack mention", async () => {
    slack.users.set("U0NEWBIE", slackUser("U0NEWBIE", "Zhang San", { locale: "zh-CN" }));
    const reply = await runCommand(ctx, f.members.admin!, "funnel member add <@U0NEWBIE|zs> cs rep", { platform: "slack", mentions: readSlackMention });
    expect(reply.errorCode).toBeUndefined();
    expect(await findMember(f.db, { slackUserId: "U0NEWBIE" })).toMatchObject({ displayName: "Zhang San", locale: "zh-CN", email: "zhang.san@example.com", teamKey: "cs" });
  });
});
