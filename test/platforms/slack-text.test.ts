// What Slack sends as typed text (escaped &, <, >) lands in the database as typed; forms that cannot be read are answered.
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { createLead } from "../../src/services/create-lead.js";
import { runCommand } from "../../src/services/run-command.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot, viewSubmissionBody } from "../support/fake-slack.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const SECRET = "slack-text-signing-secret-0123456789";
const FORM = "application/x-www-form-urlencoded";
const USERS: Record<string, string> = { admin: "U_ADMIN", mia: "U_MIA", alice: "U_ALICE", bob: "U_BOB" };

describe("Slack: typed text as typed, and forms that cannot be read", () => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;
  const events = () => `${bot.url}/slack/events`;
  const command = (handle: string, name: string, text: string) => postToBot(events(), SECRET, commandBody(slack, { command: name, text, userId: USERS[handle]! }), FORM);

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    for (const [handle, id] of Object.entries(USERS)) await updateMember(f.db, handle, { slackUserId: id });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    slack = new FakeSlack();
    await slack.start();
    bot = await startBot(f.ctx, { port: 0, host: "127.0.0.1", slack: { botToken: "xoxb-test-token", signingSecret: SECRET, apiUrl: slack.apiUrl }, outboxIntervalMs: 25, scheduler: false }, pino({ level: "silent" }));
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("stores a slash command's text unescaped, once: Johnson &amp; Johnson is Johnson & Johnson", async () => {
    // Exactly what Slack posts for `/lead new Johnson & Johnson <JJ> R&amp;D --domain jj.example`.
    const answer = await command("mia", "/lead", "new Johnson &amp; Johnson &lt;JJ&gt; R&amp;amp;D --domain jj.example");
    expect(answer.status).toBe(200);
    const account = await f.db.prisma.account.findFirstOrThrow({ where: { domain: "jj.example" }, select: { company: true } });
    expect(account.company).toBe("Johnson & Johnson <JJ> R&amp;D");
    // Shown back escaped for Slack, so it reads as typed there too.
    expect(answer.json().text).toContain("Johnson &amp; Johnson &lt;JJ&gt;");
  });

  it("still reads a mention in /funnel member add", async () => {
    const added = await command("admin", "/funnel", "member add <@U0TYPED1|typed> sales rep");
    expect(added.status).toBe(200);
    expect(await f.db.prisma.member.findFirst({ where: { identities: { some: { platform: "slack", externalId: "U0TYPED1" } } }, select: { role: true, team: { select: { key: true } } } })).toEqual({ role: "rep", team: { key: "sales" } });
  });

  it("stores a modal's typed answers unescaped", async () => {
    const created = await createLead(f.ctx, f.members.mia!, { company: "Modal Text Co", email: null, domain: "modaltext.example", source: "web", amount: 5000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const id = created.value.accountId;
    await runCommand(f.ctx, f.members.mia!, `lead handoff #${id} --confirm all`, { platform: "cli" });
    const rep = (await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } })).owner!.handle;
    await runCommand(f.ctx, f.members[rep]!, `lead accept #${id}`, { platform: "cli" });
    await updateMember(f.db, rep, { slackUserId: `U_${rep.toUpperCase()}` });
    expect((await command(rep, "/lead", `qualify #${id}`)).status).toBe(200);
    const opened = await slack.waitFor("views.open", (c) => JSON.stringify(c.body.view).includes(`#${id}`));
    const values = (answers: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, { value: v }]));
    const submitted = await postToBot(events(), SECRET, viewSubmissionBody({
      userId: `U_${rep.toUpperCase()}`, view: opened.body.view as Record<string, unknown>,
      values: values({
        budget: { type: "plain_text_input", value: "80000" }, confirmed: { type: "radio_buttons", selected_option: { value: "yes" } },
        dm: { type: "plain_text_input", value: "Li &amp; Wei" }, engaged: { type: "radio_buttons", selected_option: { value: "yes" } },
        need: { type: "plain_text_input", value: "R&amp;D mail &lt;fast&gt;" }, date: { type: "datepicker", selected_date: "2099-03-01" },
      }),
    }), FORM);
    expect(submitted.status).toBe(200);
    const bant = await f.db.prisma.bantAnswer.findFirstOrThrow({ where: { accountId: id }, select: { decisionMaker: true, need: true } });
    expect(bant).toEqual({ decisionMaker: "Li & Wei", need: "R&D mail <fast>" });
  });

  it("answers a modal whose private_metadata has the wrong shape with an error on the form, and writes nothing", async () => {
    const view = { type: "modal", callback_id: "form", blocks: [{ type: "input", block_id: "note", element: { type: "plain_text_input", action_id: "value" }, label: { type: "plain_text", text: "Note" } }] };
    const before = await tableCounts(f.db);
    for (const meta of ['{"c":"lead accept #1","f":[1],"id":"x"}', '{"c":"lead accept #1","f":[["note","sideways"]],"id":"x"}', "null", '{"c":7}', "not json"]) {
      const started = Date.now();
      const answer = await postToBot(events(), SECRET, viewSubmissionBody({ userId: USERS.alice!, view: { ...view, private_metadata: meta }, values: { note: { value: { type: "plain_text_input", value: "hi" } } } }), FORM);
      expect({ meta, status: answer.status }).toEqual({ meta, status: 200 });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(answer.json()).toEqual({ response_action: "errors", errors: { note: expect.stringContaining("run the command again") } });
    }
    const bare = await postToBot(events(), SECRET, viewSubmissionBody({ userId: USERS.alice!, view: { type: "modal", callback_id: "form", blocks: [], private_metadata: "[]" }, values: {} }), FORM);
    expect(bare.json()).toMatchObject({ response_action: "update", view: { blocks: [{ text: { text: expect.stringContaining("run the command again") } }] } });
    expect(await tableCounts(f.db)).toEqual(before);
  });
});
