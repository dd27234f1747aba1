import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { runAutomations } from "../../src/jobs/automations.js";
import { createAccount } from "../../src/store/accounts.js";
import { updateMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { testDatabases } from "../support/databases.js";
import { commandBody, FakeSlack, postToBot } from "../support/fake-slack.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const FORM = "application/x-www-form-urlencoded";
const USERS: Record<string, string> = {
  admin: "UADMIN", mia: "UMIA", mark: "UMARK", sam: "USAM", alice: "UALICE", bob: "UBOB", chen: "UCHEN", cathy: "UCATHY", carl: "UCARL",
};
const DAY = 86_400_000;
// Released MQLs go to the pool (公海).
const playbook = PlaybookSchema.parse({ ...emailSaas, routing: { release: "pool", cooldownDays: 7, claimLimit: 10 } });

/**
 * The holes a probe of the running bot found (issue 14), each tried again the way it was found: signed Slack
 * requests to the real server, on both databases.
 */
describe.each(testDatabases())("the security probe's findings, through signed Slack requests on $name", ({ url }) => {
  let f: Fixture;
  let slack: FakeSlack;
  let bot: RunningBot;

  beforeAll(async () => {
    f = await openFixture(await url(), playbook);
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

  /** A signed slash command; `trigger` replaces the trigger id Slack would give it. */
  const command = async (handle: string, name: string, text: string, trigger?: string) => {
    const params = new URLSearchParams(commandBody(slack, { command: name, text, userId: USERS[handle]! }));
    if (trigger) params.set("trigger_id", trigger);
    const response = await postToBot(`${bot.url}/slack/events`, SECRET, params.toString(), FORM);
    expect(response.status).toBe(200);
    return String(response.json().text ?? "");
  };
  const member = (handle: string) => f.db.prisma.member.findUniqueOrThrow({ where: { handle }, select: { teamKey: true, role: true } });
  const account = (id: number) => f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { stage: true, ownerId: true } });
  const lead = async (company: string, stage: string, ownerId: number | null) => {
    const created = await createAccount(f.db, {
      company, domain: null, email: null, source: "web", region: null, industry: null, amount: 0, stage, ownerId, actorId: null,
      platform: "cli", at: f.clock.read(), idempotency: null,
    });
    if (created.kind !== "created") throw new Error("not created");
    return created.id;
  };

  it("keeps managers off admins and other teams' people, and never lets anyone demote themself out of admin", async () => {
    const before = await tableCounts(f.db);
    expect(await command("sam", "/funnel", "member add <@UADMIN|ada> sales rep")).toContain("Only an admin");
    expect(await member("admin")).toEqual({ teamKey: "marketing", role: "admin" });
    expect(await command("sam", "/funnel", "member add <@UCATHY|cathy> sales rep")).toContain("own team");
    expect(await member("cathy")).toEqual({ teamKey: "cs", role: "manager" });
    expect(await command("sam", "/funnel", "member add <@UBOB|bob> sales admin")).toContain("Only an admin");
    expect(await command("admin", "/funnel", "member add <@UADMIN|ada> sales rep")).toContain("Only an admin");
    expect(await member("admin")).toEqual({ teamKey: "marketing", role: "admin" });
    expect(await tableCounts(f.db)).toEqual(before);

    // What a manager may do: their own team's reps, and newcomers into their own team.
    await command("sam", "/funnel", "member add <@UBOB|bob> sales manager");
    expect(await member("bob")).toEqual({ teamKey: "sales", role: "manager" });
    await command("sam", "/funnel", "member add <@UBOB|bob> sales rep");
    expect(await member("bob")).toEqual({ teamKey: "sales", role: "rep" });
  });

  it("makes a rep who accepts a pool lead its owner, under the pool's cool-down", async () => {
    const start = f.clock.read();
    const id = await lead("Pool Probe Co", "MQL", f.members.alice!.id);
    // Alice lets it wait three business days: it is released to the pool, and she may not take it back.
    f.clock.set(new Date(start.getTime() + 7 * DAY));
    expect((await runAutomations(f.ctx, { now: f.clock.read() })).released).toBeGreaterThanOrEqual(1);
    expect(await account(id)).toEqual({ stage: "MQL", ownerId: null });
    expect(await command("alice", "/lead", `accept #${id}`)).toContain("You let Pool Probe Co go");
    expect(await account(id)).toEqual({ stage: "MQL", ownerId: null });

    expect(await command("bob", "/lead", `accept #${id}`)).toContain("✅");
    expect(await account(id)).toEqual({ stage: "SAL", ownerId: f.members.bob!.id });
    const claimed = await f.db.prisma.stageEvent.findMany({ where: { accountId: id, kind: { in: ["claimed", "transition"] } }, orderBy: { id: "asc" }, select: { kind: true, actorId: true } });
    expect(claimed.slice(-2)).toEqual([{ kind: "claimed", actorId: f.members.bob!.id }, { kind: "transition", actorId: f.members.bob!.id }]);
    // And nobody else may now return it as if it were theirs.
    expect(await command("chen", "/lead", `return #${id} no-contact`)).toContain("该客户属于 Bob");
  });

  it("reads built-in JavaScript names as unknown words, answering every one", async () => {
    for (const role of ["constructor", "__proto__", "valueOf", "toString", "hasOwnProperty"]) {
      expect(await command("admin", "/funnel", `member add <@U1|x> sales ${role}`)).toContain("/funnel member add");
    }
    const id = await lead("Valueof Probe Co", "PQL", f.members.alice!.id);
    expect(await command("alice", "/account", `validate #${id} valueOf`)).toContain("/account validate");
    expect(await account(id)).toEqual({ stage: "PQL", ownerId: f.members.alice!.id });
  });

  it("lets only the assignee, their team's manager or an admin close a task", async () => {
    const id = await lead("Task Probe Co", "P5", f.members.alice!.id);
    const { id: task } = await f.db.prisma.task.create({ data: { accountId: id, assigneeId: f.members.alice!.id, kind: "probe", title: "Explore expansion", createdAt: f.clock.read() } });
    // Cathy manages CS and Chen is Alice's teammate (both read Chinese).
    expect(await command("cathy", "/account", `done ${task}`)).toContain("不能操作");
    expect(await command("chen", "/account", `done ${task}`)).toContain("该客户属于 Alice");
    expect((await f.db.prisma.task.findUniqueOrThrow({ where: { id: task } })).doneAt).toBeNull();
    expect(await command("sam", "/account", `done ${task}`)).toContain(`#${task}`);
    expect((await f.db.prisma.task.findUniqueOrThrow({ where: { id: task } })).doneById).toBe(f.members.sam!.id);
  });

  it("matches account names literally: % and _ are not wildcards", async () => {
    expect(await command("alice", "/lead", "show %")).toContain("No account");
    expect(await command("alice", "/lead", "show _")).toContain("No account");
    const id = await lead("100%_Pure Ltd", "LEAD", null);
    expect(await command("alice", "/lead", "show 100%_")).toContain(`#${id}`);
  });

  it("answers a repeated delivery key only to the member and request that made it", async () => {
    const mine = await lead("Key Probe A", "MQL", f.members.alice!.id);
    const theirs = await lead("Key Probe B", "MQL", f.members.chen!.id);
    expect(await command("alice", "/lead", `accept #${mine}`, "trigger.shared")).toContain("Key Probe A");
    // Slack retries the same delivery: the same answer, nothing done twice.
    expect(await command("alice", "/lead", `accept #${mine}`, "trigger.shared")).toContain("Key Probe A");
    expect(await f.db.prisma.stageEvent.count({ where: { accountId: mine, kind: "transition" } })).toBe(1);
    // Someone else sending that key gets their own command run, not Alice's stored answer.
    const other = await command("chen", "/lead", `accept #${theirs}`, "trigger.shared");
    expect(other).toContain("Key Probe B");
    expect(other).not.toContain("Key Probe A");
    expect(await account(theirs)).toEqual({ stage: "SAL", ownerId: f.members.chen!.id });
  });
});
