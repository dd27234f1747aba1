import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { runDigests } from "../../src/jobs/digests.js";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeSlack, overflowActionBody, postToBot, viewSubmissionBody, type SlackCall } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

const SECRET = "d".repeat(32);
const FORM = "application/x-www-form-urlencoded";
const USERS: Record<string, string> = { sam: "U_SAM", alice: "U_ALICE", bob: "U_BOB", chen: "U_CHEN", mia: "U_MIA" };

type Section = { type: string; block_id?: string; text?: { text: string }; accessory?: { type: string; action_id: string; options: { value: string; text: { text: string } }[] } };

describe("a digest's stalled rows in Slack: Reassign and Nudge the owner from the row's overflow menu", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  let stalled: { id: number; owner: string };
  let digest: SlackCall;
  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    for (const [handle, id] of Object.entries(USERS)) await updateMember(f.db, handle, { slackUserId: id });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    f.clock.set(new Date("2026-11-02T02:00:00Z"));
    const made = await createLead(f.ctx, f.members.mia!, { company: "Stuck Deal Co", email: null, domain: "stuckdeal.example", source: "web", amount: 9000, region: null, industry: null }, { platform: "cli" });
    if (!made.ok) throw new Error(made.error.code);
    expect((await runCommand(f.ctx, f.members.mia!, `lead handoff #${made.value.accountId} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id: made.value.accountId }, select: { owner: { select: { handle: true } } } });
    stalled = { id: made.value.accountId, owner: account.owner!.handle };
    f.clock.set(new Date("2026-11-10T01:30:00Z"));
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
    await bot.worker.idle();
    await runDigests(f.ctx, { now: f.clock.read(), workerId: "w1", digestTime: "09:30" });
    await bot.worker.idle();
    digest = await slack.waitFor("chat.postMessage", (c) => c.body.channel === "C_SALES" && /daily digest/.test(String(c.body.text)));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  const rowMenu = () => {
    const section = (digest.body.blocks as Section[]).find((b) => b.type === "section" && b.text?.text.includes("Stuck Deal Co") && b.accessory?.type === "overflow")!;
    return section.accessory!;
  };
  const choose = (handle: string, value: string, actionTs?: string) =>
    postToBot(`${bot.url}/slack/events`, SECRET, overflowActionBody(slack, { userId: USERS[handle]!, channel: "C_SALES", messageTs: String(digest.response.ts), actionId: rowMenu().action_id, value, ...(actionTs ? { actionTs } : {}) }), FORM);
  const nudgesTo = (handle: string) => slack.callsTo("chat.postMessage").filter((c) => c.body.channel === USERS[handle] && /asks you to look at|请你跟进/.test(String(c.body.text)));

  it("offers the way forward, Set next step, Reassign, Nudge the owner and Open in the row's menu", () => {
    const options = rowMenu().options;
    expect(options.map((o) => [o.text.text, o.value])).toEqual([
      ["→ Sales accepted", `lead accept #${stalled.id}`], ["Set next step", `account next #${stalled.id}`], ["Reassign", `account reassign #${stalled.id}`],
      ["Nudge the owner", `account nudge #${stalled.id}`], ["Open", `lead show #${stalled.id}`],
    ]);
  });

  it("lets a rep nudge nobody, and a manager's Nudge sends the owner one DM, however often Slack redelivers the click", async () => {
    const rep = Object.keys(USERS).find((h) => h !== stalled.owner && h !== "sam" && h !== "mia")!;
    await choose(rep, `account nudge #${stalled.id}`);
    await slack.waitFor("response_url", (c) => /manager/i.test(String(c.body.text)));
    await bot.worker.idle();
    expect(nudgesTo(stalled.owner)).toHaveLength(0);

    const ts = `${Date.now() / 1000}`;
    await choose("sam", `account nudge #${stalled.id}`, ts);
    await choose("sam", `account nudge #${stalled.id}`, ts);
    await slack.waitFor("response_url", (c) => String(c.body.text).includes("has been nudged about Stuck Deal Co"));
    await bot.worker.idle();
    const dms = nudgesTo(stalled.owner);
    expect(dms).toHaveLength(1);
    expect(String(dms[0]!.body.text)).toMatch(/Sam asks you to look at Stuck Deal Co \(#\d+\): it has been in MQL past its SLA|Sam 请你跟进 Stuck Deal Co/);
    // The DM carries the way forward as a button, for the owner to act on at once.
    expect(JSON.stringify(dms[0]!.body.blocks)).toContain(`lead accept #${stalled.id}`);
    // Recorded in the history, and not counted as the owner's activity: the account stays stalled.
    expect(await f.db.prisma.stageEvent.count({ where: { accountId: stalled.id, kind: "nudge" } })).toBe(1);
    expect((await runCommand(f.ctx, f.members.sam!, `lead show #${stalled.id}`, { platform: "cli" })).text).toMatch(/owner nudged by Sam/);
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id: stalled.id } });
    expect(account.lastActivityAt.toISOString()).toBe("2026-11-02T02:00:00.000Z");
  });

  it("opens a member picker for Reassign, and the member picked becomes the owner", async () => {
    await choose("sam", `account reassign #${stalled.id}`);
    const opened = await slack.waitFor("views.open", (c) => JSON.stringify(c.body.view).includes(`reassign #${stalled.id}`));
    const view = opened.body.view as { blocks: { block_id: string; element?: { type: string; options?: { value: string }[] } }[] };
    const picker = view.blocks.find((b) => b.element?.type === "static_select")!;
    const handles = picker.element!.options!.map((o) => o.value);
    // The sales team's active members, the owner left out.
    expect(handles).toContain("sam");
    expect(handles).not.toContain(stalled.owner);
    expect(handles).not.toContain("mia");
    const to = handles.find((h) => h !== "sam")!;
    const submitted = await postToBot(`${bot.url}/slack/events`, SECRET, viewSubmissionBody({
      userId: USERS.sam!, view: opened.body.view as Record<string, unknown>,
      values: { [picker.block_id]: { member: { type: "static_select", selected_option: { value: to } } } },
    }), FORM);
    expect(submitted.status).toBe(200);
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id: stalled.id }, select: { owner: { select: { handle: true } } } });
    expect(account.owner!.handle).toBe(to);
  });
});
