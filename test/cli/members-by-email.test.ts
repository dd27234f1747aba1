import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { slackClientOptions } from "../../src/platforms/slack/app.js";
import { slackDirectory } from "../../src/platforms/slack/directory.js";
import type { ServiceContext } from "../../src/services/context.js";
import { findMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { FakeSlack, slackUser } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "funnelbot-by-email-"));
let n = 0;
function file(text: string): string {
  const name = path.join(dir, `funnelbot-${n++}.yaml`);
  writeFileSync(name, text);
  return name;
}

// The fixture's people as a file declares them, and Dana, known to the file by her email and WeCom id only.
const PEOPLE = `
members:
  - { handle: mia, name: Mia, team: marketing, role: manager, locale: zh-CN }
  - { handle: mark, name: Mark, team: marketing }
  - { handle: sam, name: Sam, team: sales, role: manager }
  - { handle: alice, name: Alice Wang, team: sales }
  - { handle: bob, name: Bob, team: sales }
  - { handle: chen, name: 陈晨, team: sales, locale: zh-CN }
  - { handle: cathy, name: Cathy, team: cs, role: manager, locale: zh-CN }
  - { handle: carl, name: Carl, team: cs }
  - { handle: tom, name: Tom, team: support }
  - { handle: admin, name: Ada, team: marketing, role: admin }
  - { handle: dana, name: Dana Li, team: cs, email: Dana.Li@example.com, wecom: DanaLi }
  - { handle: wu, name: 吴, team: cs, email: wu@example.com }
`;

describe.each(testDatabases())("people matched to Slack by email ($name)", (database) => {
  let f: Fixture;
  let slack: FakeSlack;
  let ctx: ServiceContext;

  beforeAll(async () => {
    f = await openFixture(await database.url());
    slack = new FakeSlack();
    await slack.start();
    slack.users.set("U0DANA", slackUser("U0DANA", "Dana Li"));
    slack.users.set("U0ERIN", slackUser("U0ERIN", "Erin Fox"));
    slack.users.set("U0FAY", slackUser("U0FAY", "Fay Ng"));
    const client = new webApi.WebClient("xoxb-test-token", slackClientOptions(slack.apiUrl));
    ctx = { ...f.ctx, directories: { slack: slackDirectory(client, { sleep: async () => {} }) } };
  });
  afterAll(async () => {
    await slack?.stop();
    await f?.close();
  });

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, async () => ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }
  const lookups = (email: string) => slack.callsTo("users.lookupByEmail").filter((c) => c.body.email === email).length;

  it("gives a member the file knows by email their Slack id, once: one person on WeCom and Slack is one member", async () => {
    const config = file(PEOPLE);
    const first = await cli("config", "apply", config);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("+ member dana (Dana Li) cs rep");
    expect(await findMember(f.db, { slackUserId: "U0DANA" })).toMatchObject({ handle: "dana", wecomUserId: "DanaLi", email: "dana.li@example.com" });
    // Nobody on Slack has Wu's email: Wu is a member without a Slack id, and nothing is reported.
    expect(await findMember(f.db, { handle: "wu" })).toMatchObject({ slackUserId: null, email: "wu@example.com" });
    expect(first.out).not.toContain("!");

    const second = await cli("config", "apply", config);
    expect(second).toMatchObject({ code: 0, out: "no changes" });
    expect(lookups("dana.li@example.com")).toBe(1);
    // Wu, not on Slack, is not asked about again at every apply: Slack recognises Wu by email later.
    expect(lookups("wu@example.com")).toBe(1);
    expect(await findMember(f.db, { handle: "dana" })).toMatchObject({ slackUserId: "U0DANA", wecomUserId: "DanaLi" });
  });

  it("finds a member added by email on the command line, and says so when the token cannot look emails up", async () => {
    const added = await cli("members", "add", "erin", "--name", "Erin Fox", "--team", "sales", "--email", "Erin.Fox@example.com");
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain("✓ erin (Erin Fox) in sales as rep (Slack U0ERIN, found by email)");
    expect(await findMember(f.db, { slackUserId: "U0ERIN" })).toMatchObject({ handle: "erin" });

    slack.scopes = new Set(["users:read", "channels:read"]);
    try {
      const config = file(`${PEOPLE}  - { handle: erin, name: Erin Fox, team: sales, email: erin.fox@example.com }\n  - { handle: fay, name: Fay Ng, team: sales, email: fay.ng@example.com }\n`);
      const applied = await cli("config", "apply", config);
      expect(applied.code, applied.err).toBe(0);
      expect(applied.out).toContain("+ member fay (Fay Ng) sales rep");
      expect(applied.out).toContain("! member fay: no Slack id looked up for fay.ng@example.com: users.lookupByEmail fay.ng@example.com: the bot token lacks the users:read.email scope");
      expect(await findMember(f.db, { handle: "fay" })).toMatchObject({ slackUserId: null });
      // Erin keeps the Slack id found before: a file that leaves an id out never takes it away.
      expect(await findMember(f.db, { handle: "erin" })).toMatchObject({ slackUserId: "U0ERIN" });
    } finally {
      slack.scopes = null;
    }
  });
});
