import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaybookSchema, type Playbook } from "../../src/domain/playbook.js";
import { aftership } from "../../src/domain/presets/aftership.js";
import { directSales } from "../../src/domain/presets/direct-sales.js";
import { readHandle } from "../../src/commands/member-ref.js";
import { readSlackMention } from "../../src/platforms/slack/mentions.js";
import { readWecomMention } from "../../src/platforms/wecom/mentions.js";
import type { Reply } from "../../src/commands/reply.js";
import type { RequestMeta } from "../../src/services/context.js";
import { runCommand } from "../../src/services/run-command.js";
import { findMember, upsertMember } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

// The first hour of a rep, a CSM and a marketer: each defect they hit, as a test.
describe.each(testDatabases())("the first hour, email-saas, on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  const say = async (handle: string, line: string, meta: Partial<RequestMeta> = {}) =>
    runCommand(f.ctx, f.members[handle] ?? (await findMember(f.db, { handle }))!, line, { platform: "cli", ...meta });

  async function account(company: string, stage: string, owner: string | null, extra: Record<string, unknown> = {}): Promise<number> {
    const now = f.clock.read();
    const created = await f.db.prisma.account.create({ data: { company, stage, stageEnteredAt: now, lastActivityAt: now, createdAt: now, ownerId: owner ? f.members[owner]!.id : null, ...extra } });
    return created.id;
  }

  it("keeps BANT answers on the account: lead show, its data and the amount the confirmed budget sets", async () => {
    const id = await account("Budget Co", "SAL", "alice");
    const reply = await say("alice", `lead qualify #${id} budget=50000 currency=CNY confirmed=yes dm="Li Wei" role=CTO engaged=yes need="bulk email" usecase=newsletters date=2027-03-01`);
    expect(reply.text).toContain("amount set to 50,000 CNY from the confirmed budget".replace(/^a/, "A"));
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).amount).toBe(50000);
    const shown = await say("bob", `lead show #${id}`);
    expect(shown.text).toMatch(/Budget: 50,000 CNY, confirmed/);
    expect(shown.text).toMatch(/Decision maker: Li Wei \(CTO\), engaged/);
    expect(shown.text).toMatch(/Need: bulk email — newsletters/);
    expect(shown.text).toMatch(/Target date: 2027-03-01/);
    expect(shown.text).toMatch(/Amount: 50,000 CNY/);
    const data = shown.data as { bant: { budget: unknown; decisionMaker: unknown; need: string; useCase: string; targetDate: string; passed: boolean } };
    expect(data.bant).toMatchObject({
      budget: { amount: 50000, currency: "CNY", confirmed: true }, decisionMaker: { name: "Li Wei", role: "CTO", engaged: true },
      need: "bulk email", useCase: "newsletters", targetDate: "2027-03-01", passed: true,
    });
    // The card (blocks) carries them too.
    expect(JSON.stringify(shown.blocks)).toContain("Li Wei (CTO), engaged");
  });

  it("leaves the amount alone when the budget is not confirmed, and says why, in Chinese too", async () => {
    const id = await account("Unconfirmed Co", "SAL", "chen", { amount: 1000 });
    const reply = await say("chen", `线索 资格 #${id} 预算=80000 预算确认=否 决策人=李伟 已参与=是 需求=群发 时间=2027-03-01`);
    expect(reply.text).toContain("金额保持 1,000 CNY:预算尚未确认");
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).amount).toBe(1000);
    const shown = await say("chen", `线索 查看 #${id}`);
    expect(shown.text).toContain("BANT(尚未通过)");
    expect(shown.text).toContain("80,000 CNY, 未确认");
  });

  it("shows a score only for leads with scoring facts, and otherwise where the lead came from", async () => {
    const created = await say("mark", "lead new Origin Robotics --email li@origin-robotics.com --source fair");
    const id = Number(/#(\d+)/.exec(created.text)![1]);
    const lead = await say("mark", `lead show #${id}`);
    expect(lead.text).not.toContain("Score 0");
    expect(lead.text).toMatch(/Came from: created by Mark in the CLI/);
    expect(lead.text).toMatch(/Email: li@origin-robotics.com/);
    expect(lead.text).toMatch(/Domain: origin-robotics.com/);
    expect(lead.text).toMatch(/Source: fair/);
    await say("mark", `lead handoff #${id} --confirm all`);
    const mql = await say("alice", `lead show #${id}`);
    expect(mql.text).not.toContain("Score");
    expect(mql.text).toMatch(/Came from: created by Mark in the CLI; handed to sales by Mark on \d{4}-\d{2}-\d{2}/);
    expect((mql.data as { score: unknown }).score).toBeNull();
  });

  it("refuses a next step in the past, and keeps the date, the note and a manager's override reason in the history", async () => {
    const id = await account("Next Step Co", "P1", "carl");
    const past = await say("carl", `account next #${id} 2020-01-01 call them`);
    expect(past.errorCode).toBe("invalid-form");
    expect(past.text).toContain("a date that isn't past");
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).nextStepAt).toBeNull();
    expect((await say("carl", `account next #${id} 2027-01-05 call them`)).errorCode).toBeUndefined();
    expect((await say("cathy", `account advance #${id} --override "customer integrated already"`)).errorCode).toBeUndefined();
    const history = (await say("carl", `lead show #${id}`)).text;
    expect(history).toMatch(/next step set by Carl for 2027-01-05: call them/);
    expect(history).toMatch(/checklist of P1 Integration skipped by a manager: customer integrated already/);
  });

  it("takes a returned or disqualified lead off its rep: no owner, not in their lead mine", async () => {
    const returned = await account("Returned Lead Co", "MQL", "bob");
    const dropped = await account("Dropped Lead Co", "SAL", "bob");
    expect((await say("bob", "lead mine")).text).toContain("Returned Lead Co");
    expect((await say("bob", `lead return #${returned} not-ready`)).errorCode).toBeUndefined();
    expect((await say("bob", `lead unqualified #${dropped} competitor`)).errorCode).toBeUndefined();
    const rows = await f.db.prisma.account.findMany({ where: { id: { in: [returned, dropped] } }, select: { ownerId: true } });
    expect(rows.map((r) => r.ownerId)).toEqual([null, null]);
    const mine = (await say("bob", "lead mine")).text;
    expect(mine).not.toContain("Returned Lead Co");
    expect(mine).not.toContain("Dropped Lead Co");
  });

  it("refuses a malformed email or domain in the marketer's language, and creates nothing", async () => {
    const before = await f.db.prisma.account.count();
    const email = await say("mark", "lead new Typo Co --email li@@acme");
    expect(email.errorCode).toBe("invalid-email");
    expect(email.text).toContain("“li@@acme” isn't an email address");
    const domain = await say("mia", "线索 新建 错字公司 --domain acme");
    expect(domain.errorCode).toBe("invalid-domain");
    expect(domain.text).toContain("“acme”不是有效的域名");
    expect(await f.db.prisma.account.count()).toBe(before);
  });

  it("warns of a second account of the same name and offers the first, creating it only with --new", async () => {
    const first = await say("mark", "lead new Acme Robotics --email li@acme-robotics.com");
    const id = Number(/#(\d+)/.exec(first.text)![1]);
    const before = await f.db.prisma.account.count();
    const again = await say("mark", "lead new acme robotics --source fair");
    expect(again.text).toContain(`Acme Robotics already exists as #${id}`);
    expect(await f.db.prisma.account.count()).toBe(before);
    const buttons = again.blocks.flatMap((b) => (b.kind === "buttons" ? b.buttons : []));
    expect(buttons.map((b) => b.command)).toEqual([`lead show #${id}`, "lead new \"acme robotics\" --source fair --new"]);
    const forced = await say("mark", buttons[1]!.command);
    expect(forced.text).toMatch(/Lead #\d+ acme robotics created/);
    expect(await f.db.prisma.account.count()).toBe(before + 1);
  });

  it("offers the hand-off as a button on a new lead and on lead show of a lead, opening the checklist", async () => {
    const created = await say("mark", "lead new Handoff Button Co --domain handoff-button.example");
    const id = Number(/#(\d+)/.exec(created.text)![1]);
    const commands = (reply: Reply) => reply.blocks.flatMap((b) => (b.kind === "buttons" ? b.buttons : []));
    expect(commands(created)).toContainEqual(expect.objectContaining({ label: "Hand off to sales", command: `lead handoff #${id}` }));
    const shown = await say("mia", `线索 查看 #${id}`);
    expect(commands(shown)).toContainEqual(expect.objectContaining({ label: "移交销售", command: `lead handoff #${id}` }));
    const pressed = await say("mark", `lead handoff #${id}`);
    expect(pressed.blocks.some((b) => b.kind === "form" && b.form.command === `lead handoff #${id}`)).toBe(true);
  });

  it("shows a customer with /account show (客户 查看): no lead score, a next-step button", async () => {
    const id = await account("Customer View Co", "P2", "carl", { email: "ops@customer-view.example" });
    const en = await say("carl", `account show #${id}`);
    expect(en.errorCode).toBeUndefined();
    expect(en.text).toMatch(new RegExp(`^#${id} Customer View Co`));
    expect(en.text).not.toContain("Score");
    const buttons = en.blocks.flatMap((b) => (b.kind === "buttons" ? b.buttons : []));
    expect(buttons).toContainEqual(expect.objectContaining({ label: "Next step", command: `account next #${id}` }));
    expect(buttons.find((b) => b.label === "Next step")!.form!.fields.map((x) => x.name)).toEqual(["date", "note"]);
    const zh = await say("cathy", `客户 查看 #${id}`);
    expect(zh.text).toContain("P2 测试发送");
  });

  it("names the timezone of the time on an updated card", async () => {
    const id = await account("Card Time Co", "MQL", "alice");
    expect((await say("alice", `lead accept #${id}`)).errorCode).toBeUndefined();
    const update = await f.db.prisma.outboxMessage.findFirstOrThrow({ where: { targetKind: "cards", target: String(id) } });
    // 02:00 UTC is 10:00 in Shanghai, the business timezone; the text says so.
    expect(update.payload).toContain("by Alice at 2026-11-23 10:00 (Asia/Shanghai)");
  });

  it("adds people from WeCom by UserID and from the CLI by handle, not only from Slack", async () => {
    const wecom = await say("admin", "funnel member add @li.lei sales rep", { platform: "wecom", mentions: readWecomMention });
    expect(wecom.errorCode).toBeUndefined();
    expect((await findMember(f.db, { wecomUserId: "li.lei" }))?.teamKey).toBe("sales");
    const slack = await say("admin", "funnel member add <@U0NEW1|newbie> cs rep", { platform: "slack", mentions: readSlackMention });
    expect(slack.errorCode).toBeUndefined();
    expect((await findMember(f.db, { slackUserId: "U0NEW1" }))?.handle).toBe("newbie");
    // The role is said as the team's kind says it: a rep of customer success is a CSM, not a salesperson.
    expect(slack.text).toBe("Added newbie to Customer success as CSM.");
    expect(wecom.text).toBe("Added li.lei to Sales as sales rep.");
    // A handle names an existing member on the CLI; the permission table still decides (a manager may not make an admin).
    expect((await say("sam", "funnel member add alice sales admin")).text).toContain("Only an admin");
    expect((await say("admin", "funnel member add @bob sales manager")).errorCode).toBeUndefined();
    expect((await findMember(f.db, { handle: "bob" }))?.role).toBe("manager");
    await upsertMember(f.db, { ...(await findMember(f.db, { handle: "bob" }))!, role: "rep" });
    // A Slack mention means nothing on WeCom, and the other way round.
    expect(readWecomMention("<@U123|x>")).toBeNull();
    expect(readSlackMention("<@bad")).toBeNull();
    expect(readHandle("@Alice")).toEqual({ kind: "handle", handle: "alice" });
  });
});

/** A lead walked through a preset's forward moves to its qualified stage, and past it to a closed stage. */
describe.each([
  ["aftership", aftership],
  ["direct-sales", directSales],
] as const)("stage roles come from the %s playbook, not from email-saas codes", (_name, preset) => {
  let f: Fixture;
  let playbook: Playbook;
  beforeAll(async () => {
    playbook = PlaybookSchema.parse(preset);
    f = await openFixture(await testDatabases()[0]!.url(), playbook);
  });
  afterAll(async () => f?.close());

  const say = async (handle: string, line: string) => runCommand(f.ctx, f.members[handle]!, line, { platform: "cli" });

  it("says BANT passed on the playbook's qualify move, and hides closed stages from lead mine", async () => {
    const qualify = playbook.transitions.find((t) => t.verb === "qualify")!;
    const target = playbook.stages.find((s) => s.code === qualify.to)!;
    const alice = f.members.alice!;
    const now = f.clock.read();
    const account = await f.db.prisma.account.create({ data: { company: "Stage Roles Co", stage: qualify.from, stageEnteredAt: now, lastActivityAt: now, createdAt: now, ownerId: alice.id } });
    const reply = await say("alice", `lead qualify #${account.id} budget=50000 confirmed=yes dm=Li engaged=yes need=bulk date=2027-03-01`);
    expect(reply.errorCode).toBeUndefined();
    expect(reply.text).toContain(`qualified: now ${target.name.en}`);
    // A closed stage: lost (no move leaves it in aftership; direct-sales declares it closed).
    const lost = playbook.transitions.find((t) => t.verb === "lose" && t.from === qualify.to)!;
    expect((await say("alice", `lead lost #${account.id} price`)).errorCode).toBeUndefined();
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).stage).toBe(lost.to);
    const open = await f.db.prisma.account.create({ data: { company: "Still Open Co", stage: qualify.to, stageEnteredAt: now, lastActivityAt: now, createdAt: now, ownerId: alice.id } });
    const mine = (await say("alice", "lead mine")).text;
    expect(mine).toContain(`#${open.id} Still Open Co`);
    expect(mine).not.toContain("Stage Roles Co");
  });
});

describe("closed stages", () => {
  it("are those a playbook declares closed, those no move leaves that hold no customers, and those only journeys' ends lead into", async () => {
    const { isClosed } = await import("../../src/domain/playbook.js");
    const { emailSaas } = await import("../../src/domain/presets/email-saas.js");
    const saas = PlaybookSchema.parse(emailSaas);
    expect(saas.stages.filter((s) => isClosed(saas, s.code)).map((s) => s.code)).toEqual(["CHURNED", "UNQUALIFIED", "LOST", "ARCHIVED"]);
    // Returned leads are being nurtured: a return is no end.
    expect(isClosed(saas, "RETURNED")).toBe(false);
    const after = PlaybookSchema.parse(aftership);
    expect(after.stages.filter((s) => isClosed(after, s.code)).map((s) => s.code)).toEqual(["LOST", "UNQUALIFIED"]);
    // A won customer stage with no move out of it is not closed: its accounts are still worked.
    expect(isClosed(after, "CUSTOMER")).toBe(false);
  });

  it("leave the open count of /funnel in a preset without ARCHIVED", async () => {
    const f = await openFixture(await testDatabases()[0]!.url(), PlaybookSchema.parse(aftership));
    try {
      const now = f.clock.read();
      for (const stage of ["LEAD", "SQL", "LOST", "UNQUALIFIED"]) {
        await f.db.prisma.account.create({ data: { company: `Count ${stage}`, stage, stageEnteredAt: now, lastActivityAt: now, createdAt: now } });
      }
      const funnel = await runCommand(f.ctx, f.members.sam!, "funnel", { platform: "cli" });
      expect(funnel.text).toMatch(/^Funnel: 2 open accounts/);
    } finally {
      await f.close();
    }
  });
});
