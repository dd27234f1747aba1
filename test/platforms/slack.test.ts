import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { blockActionBody, commandBody, eventBody, FakeSlack, postToBot, slackHeaders, viewSubmissionBody, type SlackCall } from "../support/fake-slack.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const FORM = "application/x-www-form-urlencoded";
const USERS: Record<string, string> = { admin: "U_ADMIN", mia: "U_MIA", mark: "U_MARK", sam: "U_SAM", alice: "U_ALICE", bob: "U_BOB", chen: "U_CHEN", cathy: "U_CATHY", carl: "U_CARL" };

type Block = { type: string; elements?: { type: string; action_id: string; value?: string }[]; text?: { text: string } };

describe("Slack: the real Bolt server against a fake Slack Web API", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  const events = () => `${bot.url}/slack/events`;
  const userOf = (handle: string) => USERS[handle]!;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    for (const [handle, id] of Object.entries(USERS)) await updateMember(f.db, handle, { slackUserId: id });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    await upsertTeam(f.db, { key: "marketing", name: "Marketing", slackChannel: "C_MKT" });
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  const command = (handle: string, name: string, text: string) =>
    postToBot(events(), SECRET, commandBody(slack, { command: name, text, userId: userOf(handle) }), FORM);

  async function handOff(company: string): Promise<{ id: number; rep: string }> {
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, source: "web", amount: 5000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const id = created.value.accountId;
    const handed = await command("mia", "/lead", `handoff #${id} --confirm all`);
    expect(handed.status).toBe(200);
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
    return { id, rep: account.owner!.handle };
  }

  /** The card for account `id` posted to `channel`, and the button whose command starts with `verb`. */
  async function cardButton(channel: string, id: number, verb: string): Promise<{ call: SlackCall; actionId: string; value: string; ts: string }> {
    const call = await slack.waitFor("chat.postMessage", (c) => c.body.channel === channel && JSON.stringify(c.body.blocks).includes(`${verb} #${id}`));
    const button = (call.body.blocks as Block[]).flatMap((b) => b.elements ?? []).find((e) => e.value === `${verb} #${id}`)!;
    return { call, actionId: button.action_id, value: button.value!, ts: String(call.response.ts) };
  }

  const click = (handle: string, channel: string, ts: string, actionId: string, value: string) =>
    postToBot(events(), SECRET, blockActionBody(slack, { userId: userOf(handle), channel, messageTs: ts, actionId, value }), FORM);

  it("refuses forged and stale requests with 401 and writes nothing", async () => {
    const before = await tableCounts(f.db);
    const body = commandBody(slack, { command: "/lead", text: "new Forged Inc", userId: userOf("mia") });
    const forged = await postToBot(events(), "not-the-secret", body, FORM);
    expect(forged.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await postToBot(events(), SECRET, body, FORM, slackHeaders(SECRET, body, FORM, old));
    expect(stale.status).toBe(401);
    const unsigned = await fetch(events(), { method: "POST", body, headers: { "content-type": FORM } });
    expect(unsigned.status).toBe(401);
    expect(await tableCounts(f.db)).toEqual(before);
  });

  it("answers a slash command in its ack, in the member's language, and tells strangers to ask an admin", async () => {
    const created = await command("mark", "/lead", "new Ack Speed Ltd --domain ackspeed.example");
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({ text: expect.stringContaining("Ack Speed Ltd") });
    const zh = await command("chen", "/lead", "接受 #999999");
    expect(zh.json().text).toContain("没有找到");
    expect(zh.json().response_type).toBe("ephemeral");
    const typo = await command("alice", "/lead", "acept 4");
    expect(typo.json().text).toContain("/lead accept");
    const stranger = await postToBot(events(), SECRET, commandBody(slack, { command: "/lead", text: "mine", userId: "U_STRANGER" }), FORM);
    expect(stranger.json().text).toMatch(/admin/i);
    expect(JSON.stringify(stranger.json())).not.toMatch(/at .*\.ts:\d+/);
  });

  it("posts the MQL card to the rep and the sales channel; Accept updates both copies in place; a stale click says who acted", async () => {
    const { id, rep } = await handOff("Card Click Co");
    const dm = await cardButton(userOf(rep), id, "lead accept");
    await cardButton("C_SALES", id, "lead accept");
    const accepted = await click(rep, userOf(rep), dm.ts, dm.actionId, dm.value);
    expect(accepted.status).toBe(200);
    const told = await slack.waitFor("response_url", (c) => String(c.body.text).includes("Card Click Co"));
    expect(told.body.response_type).toBe("ephemeral");
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("SAL");
    // Both copies of the card now show the outcome, who and when, with no buttons left.
    await slack.waitFor("chat.update", (c) => c.body.channel === "C_SALES");
    const updates = await slack.waitFor("chat.update", (c) => c.body.channel === userOf(rep));
    expect(String(updates.body.text)).toMatch(/MQL → Sales accepted/);
    for (const update of slack.callsTo("chat.update").filter((c) => String(c.body.text).includes(`#${id}`))) {
      expect((update.body.blocks as Block[]).some((b) => b.type === "actions")).toBe(false);
    }
    const other = rep === "alice" ? "bob" : "alice";
    const late = await click(other, "C_SALES", dm.ts, dm.actionId, dm.value);
    expect(late.status).toBe(200);
    const refused = await slack.waitFor("response_url", (c) => /already/i.test(String(c.body.text)) && String(c.body.text).includes(f.members[rep]!.displayName));
    expect(refused.body.response_type).toBe("ephemeral");
    expect(await f.db.prisma.stageEvent.count({ where: { accountId: id, toStage: "SAL" } })).toBe(1);
  });

  it("Return to marketing opens a modal with the playbook's reasons and records the one chosen", async () => {
    const { id, rep } = await handOff("Return Modal Co");
    const card = await cardButton(userOf(rep), id, "lead return");
    await click(rep, userOf(rep), card.ts, card.actionId, card.value);
    const opened = await slack.waitFor("views.open", (c) => JSON.stringify(c.body.view).includes(`#${id}`));
    const view = opened.body.view as { blocks: { block_id: string; element: { type: string; options?: { value: string }[] } }[] };
    const reason = view.blocks.find((b) => b.element.type === "static_select")!;
    expect(reason.element.options!.length).toBeGreaterThan(1);
    const chosen = reason.element.options![0]!.value;
    const submitted = await postToBot(events(), SECRET, viewSubmissionBody({
      userId: userOf(rep), view: opened.body.view as Record<string, unknown>,
      values: { [reason.block_id]: { value: { type: "static_select", selected_option: { value: chosen } } } },
    }), FORM);
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe("");
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id } });
    expect(account.stage).toBe("RETURNED");
    const event = await f.db.prisma.stageEvent.findFirstOrThrow({ where: { accountId: id, toStage: "RETURNED" } });
    expect(event.reasonCode).toBe(chosen);
    expect(event.platform).toBe("slack");
    await slack.waitFor("chat.postMessage", (c) => c.body.channel === "C_MKT" && String(c.body.text).includes("Return Modal Co"));
  });

  it("qualifies with the BANT modal: errors show on the fields, a good submission moves SAL → SQL", async () => {
    const { id, rep } = await handOff("Bant Modal Co");
    expect((await runCommand(f.ctx, f.members[rep]!, `lead accept #${id}`, { platform: "cli" })).errorCode).toBeUndefined();
    const before = await tableCounts(f.db);
    const ack = await command(rep, "/lead", `qualify #${id}`);
    expect(ack.status).toBe(200);
    const opened = await slack.waitFor("views.open", (c) => JSON.stringify(c.body.view).includes("budget") && JSON.stringify(c.body.view).includes(`#${id}`));
    const view = opened.body.view as Record<string, unknown>;
    const values = (answers: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, { value: v }]));
    const bad = await postToBot(events(), SECRET, viewSubmissionBody({
      userId: userOf(rep), view,
      values: values({ budget: { type: "plain_text_input", value: "lots" }, confirmed: { type: "radio_buttons", selected_option: { value: "yes" } } }),
    }), FORM);
    expect(bad.json()).toMatchObject({ response_action: "errors", errors: expect.objectContaining({ budget: expect.any(String) }) });
    expect(await tableCounts(f.db)).toEqual(before);
    const good = await postToBot(events(), SECRET, viewSubmissionBody({
      userId: userOf(rep), view,
      values: values({
        budget: { type: "plain_text_input", value: "80000" }, currency: { type: "static_select", selected_option: { value: "CNY" } },
        confirmed: { type: "radio_buttons", selected_option: { value: "yes" } }, dm: { type: "plain_text_input", value: "Li Wei" },
        role: { type: "plain_text_input", value: "CTO" }, engaged: { type: "radio_buttons", selected_option: { value: "yes" } },
        need: { type: "plain_text_input", value: "transactional mail" }, usecase: { type: "plain_text_input", value: "receipts" },
        date: { type: "datepicker", selected_date: "2027-03-01" },
      }),
    }), FORM);
    expect(good.status).toBe(200);
    expect(good.text).toBe("");
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("SQL");
  });

  it("a CSM advances P1 → P2 through the checklist modal", async () => {
    const { id, rep } = await handOff("Onboard Co");
    const as = (handle: string, line: string) => runCommand(f.ctx, f.members[handle]!, line, { platform: "cli" });
    for (const line of [`lead accept #${id}`, `lead qualify #${id} budget=9000 confirmed=yes dm=Wu engaged=yes need=mail date=2027-01-01`, `account sign #${id}`]) {
      expect((await as(rep, line)).errorCode).toBeUndefined();
    }
    expect((await as(rep, `account advance #${id} --confirm all`)).errorCode).toBeUndefined();
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("P1");
    const ack = await command("carl", "/account", `advance #${id}`);
    expect(ack.status).toBe(200);
    const opened = await slack.waitFor("views.open", (c) => JSON.stringify(c.body.view).includes(`advance #${id}`));
    const view = opened.body.view as { blocks: { block_id: string; element: { type: string; options?: { value: string }[] } }[] };
    const boxes = view.blocks.find((b) => b.element.type === "checkboxes")!;
    const none = await postToBot(events(), SECRET, viewSubmissionBody({ userId: userOf("carl"), view: opened.body.view as Record<string, unknown>, values: {} }), FORM);
    // The refusal shows in the modal, beside the checklist, in the form's words: the unticked items by label, no flags.
    expect(none.json()).toMatchObject({ response_action: "errors", errors: { [boxes.block_id]: "Tick what is done: “Kick-off held, contacts named”, “Customer calling the API / SMTP”." } });
    expect(JSON.stringify(none.json())).not.toMatch(/--confirm|--override|kickoff-held/);
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("P1");
    const all = await postToBot(events(), SECRET, viewSubmissionBody({
      userId: userOf("carl"), view: opened.body.view as Record<string, unknown>,
      values: { [boxes.block_id]: { value: { type: "checkboxes", selected_options: boxes.element.options!.map((o) => ({ value: o.value })) } } },
    }), FORM);
    expect(all.text).toBe("");
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("P2");
  });

  it("acks \"working…\" when a command outlives its budget and follows up through the outbox", async () => {
    const patient = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl, ackBudgetMs: 0 }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
    try {
      const body = commandBody(slack, { command: "/lead", text: "show #1", userId: userOf("sam") });
      const acked = await postToBot(`${patient.url}/slack/events`, SECRET, body, FORM);
      expect(acked.json().text).toMatch(/working/i);
      const url = new URL(new URLSearchParams(body).get("response_url")!);
      const followUp = await slack.waitFor("response_url", (c) => c.path === url.pathname);
      expect(followUp.body).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("#1 ") });
    } finally {
      await patient.close();
    }
  });

  it("follows up a late command once when Slack's retry of it is late too, even on another server", async () => {
    // Two servers on one database, both past their budget: the retry replays the first run's answer, and only
    // one of the two may post it to the response_url.
    const options = { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl, ackBudgetMs: 0 }, outboxIntervalMs: 25, scheduler: false };
    // The one that finds the answer queued says so: then both have done all they will do.
    const said: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void said.push(line) });
    const [first, second] = [await startBot(f.ctx, options, log), await startBot(f.ctx, options, log)];
    try {
      const { id, rep } = await handOff("Retried Late Ltd");
      const body = commandBody(slack, { command: "/lead", text: `accept #${id}`, userId: userOf(rep) });
      const acked = await Promise.all([
        postToBot(`${first.url}/slack/events`, SECRET, body, FORM),
        postToBot(`${second.url}/slack/events`, SECRET, body, FORM, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }),
      ]);
      expect(acked.map((r) => r.json().text)).toEqual([expect.stringMatching(/working/i), expect.stringMatching(/working/i)]);
      const url = new URL(new URLSearchParams(body).get("response_url")!);
      await slack.waitFor("response_url", (c) => c.path === url.pathname);
      for (const deadline = Date.now() + 10_000; !said.some((line) => line.includes("late answer already queued")) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 10));
      await Promise.all([first.worker.idle(), second.worker.idle(), bot.worker.idle()]);
      const answers = slack.callsTo("response_url").filter((c) => c.path === url.pathname);
      expect(answers).toHaveLength(1);
      expect(answers[0]!.body).toMatchObject({ text: expect.stringContaining("Retried Late Ltd moved MQL → Sales accepted") });
      expect(await f.db.prisma.stageEvent.count({ where: { accountId: id, toStage: "SAL" } })).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("refuses with a 400, not a 500, a signed body whose shape Bolt cannot route", async () => {
    // Each is an object (so it passes the front's check) that makes Bolt's routing read a field of undefined.
    const bodies: [string, string][] = [
      [`payload=${encodeURIComponent('{"name":{}}')}`, FORM],
      [`payload=${encodeURIComponent('{"type":"view_submission"}')}`, FORM],
      [`payload=${encodeURIComponent('{"actions":[]}')}`, FORM],
      [`payload=${encodeURIComponent('{"type":"shortcut"}')}`, FORM],
      ['{"event":1}', "application/json"],
    ];
    for (const [body, type] of bodies) {
      const answer = await postToBot(events(), SECRET, body, type, {}, AbortSignal.timeout(5_000));
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
    expect((await command("alice", "/lead", "help")).status).toBe(200);
  });

  it("lets an admin add a Slack user as a member; a rep may not", async () => {
    const before = await tableCounts(f.db);
    const refused = await command("alice", "/funnel", "member add <@U0NEWBIE1|newbie> sales rep");
    expect(refused.json().response_type).toBe("ephemeral");
    expect(await tableCounts(f.db)).toEqual(before);
    const added = await command("admin", "/funnel", "member add <@U0NEWBIE1|newbie> sales rep");
    expect(added.json().text).toContain("newbie");
    const member = await f.db.prisma.member.findFirstOrThrow({ where: { identities: { some: { platform: "slack", externalId: "U0NEWBIE1" } } } });
    expect(member).toMatchObject({ teamKey: "sales", role: "rep" });
    const mine = await postToBot(events(), SECRET, commandBody(slack, { command: "/lead", text: "mine", userId: "U0NEWBIE1" }), FORM);
    expect(mine.json().text).not.toMatch(/admin/i);
  });

  it("App Home shows my accounts, and a retried event delivery publishes the same view", async () => {
    const body = eventBody({ type: "app_home_opened", user: userOf("alice"), channel: "D_ALICE", tab: "home", event_ts: `${Date.now() / 1000}` });
    const first = await postToBot(events(), SECRET, body, "application/json");
    expect(first.status).toBe(200);
    const published = await slack.waitFor("views.publish", (c) => c.body.user_id === userOf("alice"));
    const home = JSON.stringify(published.body.view);
    const mine = await f.db.prisma.account.findMany({ where: { owner: { handle: "alice" }, stage: { not: "ARCHIVED" } }, select: { company: true } });
    for (const account of mine) expect(home).toContain(account.company);
    const count = slack.callsTo("views.publish").length;
    const before = await tableCounts(f.db);
    const retried = await postToBot(events(), SECRET, body, "application/json", { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retried.status).toBe(200);
    await slack.waitFor("views.publish", () => slack.callsTo("views.publish").length > count);
    expect(await tableCounts(f.db)).toEqual(before);
  });

  it("keeps a card through a 429 from chat.postMessage and delivers it after Retry-After", async () => {
    // Let earlier tests' messages drain, so the 429 falls on this lead's card.
    await bot.worker.idle();
    expect(await f.db.prisma.outboxMessage.count({ where: { status: "pending" } })).toBe(0);
    slack.failNext("chat.postMessage", 1, { status: 429, retryAfter: 30 });
    const failedAt = f.clock.read();
    const { id } = await handOff("Rate Limited Co");
    // The handoff ran before its ack; once the worker is idle, the card has met the 429 and waits.
    await bot.worker.idle();
    const row = await f.db.prisma.outboxMessage.findFirstOrThrow({ where: { status: "pending", lastError: { contains: "rate" } } });
    // Slack said "retry after 30 s": not a moment sooner.
    expect(row.nextAttemptAt.getTime() - failedAt.getTime()).toBeGreaterThanOrEqual(30_000);
    const target = row.targetKind === "team" ? "C_SALES" : userOf((await f.db.prisma.member.findUniqueOrThrow({ where: { id: Number(row.target) } })).handle);
    // The worker's clock is the test's: move it past Retry-After and the card goes out.
    f.clock.advance(60_000);
    await bot.worker.idle();
    await cardButton(target, id, "lead accept");
    expect((await f.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("sent");
  });
});
