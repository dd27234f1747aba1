import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { runCommand } from "../../src/services/run-command.js";
import { createLead } from "../../src/services/create-lead.js";
import { updateMember } from "../../src/store/members.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const SECRET = "home-refresh-secret";
const FORM = "application/x-www-form-urlencoded";
// Wide enough that a burst of five commands sent at once lands inside it even on a loaded machine.
const WINDOW_MS = 2_500;

describe("Slack App Home refresh after commands", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  const ids: number[] = [];

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    await updateMember(f.db, "alice", { slackUserId: "U_ALICE" });
    await updateMember(f.db, "sam", { slackUserId: "U_SAM" });
    for (let i = 0; i < 6; i++) {
      const created = await createLead(f.ctx, f.members.mia!, { company: `Burst ${i} Ltd`, email: null, domain: `burst${i}.example`, source: "web", amount: 100, region: null, industry: null }, { platform: "cli" });
      if (!created.ok) throw new Error(created.error.code);
      ids.push(created.value.accountId);
      await runCommand(f.ctx, f.members.mia!, `lead handoff #${created.value.accountId} --confirm all`, { platform: "cli" });
      await f.db.prisma.account.update({ where: { id: created.value.accountId }, data: { ownerId: f.members.alice!.id } });
    }
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test", signingSecret: SECRET, apiUrl: slack.apiUrl, homeRefreshMs: WINDOW_MS }, outboxIntervalMs: 50, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  const publishes = () => slack.callsTo("views.publish").filter((c) => c.body.user_id === "U_ALICE");
  const accept = (id: number) => postToBot(`${bot.url}/slack/events`, SECRET, commandBody(slack, { command: "/lead", text: `accept #${id}`, userId: "U_ALICE" }), FORM);

  it("refreshes at once, folds a burst into one trailing refresh that shows its last change, and refreshes again after the window", async () => {
    // The first command's refresh goes out straight away; the others, sent with it, wait for one trailing refresh.
    expect((await accept(ids[0]!)).status).toBe(200);
    await slack.waitFor("views.publish", (c) => c.body.user_id === "U_ALICE");
    const burst = await Promise.all(ids.slice(1, 5).map((id) => accept(id)));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(publishes()).toHaveLength(1);
    await expect.poll(() => publishes().length, { timeout: WINDOW_MS * 3 }).toBe(2);
    const trailing = JSON.stringify(publishes()[1]!.body.view);
    // Every accepted account now reads "Sales accepted" in the Home tab; only the untouched one is an MQL.
    for (const id of ids.slice(0, 5)) expect(trailing).toMatch(new RegExp(`#${id} Burst \\d Ltd — Sales accepted`));
    await new Promise((r) => setTimeout(r, WINDOW_MS * 2));
    expect(publishes()).toHaveLength(2);
    expect((await accept(ids[5]!)).status).toBe(200);
    await expect.poll(() => publishes().length, { timeout: WINDOW_MS * 3 }).toBe(3);
  });
});
