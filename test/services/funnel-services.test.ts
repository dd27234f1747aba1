import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/services/run-command.js";
import { actOnAccount } from "../../src/services/act-on-account.js";
import { createLead } from "../../src/services/create-lead.js";
import { findMember, upsertMember, type MemberRecord } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

describe.each(testDatabases())("funnel services on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());

  const say = async (handle: string, line: string, key?: string, locale?: "en" | "zh-CN") => {
    const member = f.members[handle] ?? (await findMember(f.db, { handle }))!;
    return runCommand(f.ctx, locale ? { ...member, locale } : member, line, { platform: "cli", key: key ?? null });
  };

  /** The rep the rotation gave the account to (tests add racers, so it may be any sales member). */
  async function ownerOf(id: number): Promise<MemberRecord> {
    const account = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { ownerId: true } });
    return (await findMember(f.db, { id: account.ownerId! }))!;
  }

  async function newMql(company: string): Promise<number> {
    const created = await createLead(f.ctx, f.members.mia!, { company, email: null, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, source: "web", amount: 1000, region: null, industry: null }, { platform: "cli" });
    if (!created.ok) throw new Error(created.error.code);
    const handed = await say("mia", `lead handoff #${created.value.accountId} --confirm all`);
    expect(handed.errorCode).toBeUndefined();
    return created.value.accountId;
  }

  it("lists my accounts overdue first, marked, across a business-day SLA", async () => {
    // Carl (CS) owns a P1 account in its SLA and one past it; P1's SLA is in business days.
    const now = f.clock.read();
    const sla = f.ctx.playbook.stages.find((s) => s.code === "P1")!.sla!;
    const fresh = await f.db.prisma.account.create({ data: { company: "Fresh Onboarding Co", stage: "P1", stageEnteredAt: now, lastActivityAt: now, createdAt: now, ownerId: f.members.carl!.id } });
    const longAgo = new Date(now.getTime() - (sla.days + 10) * 86_400_000);
    const late = await f.db.prisma.account.create({ data: { company: "Late Onboarding Co", stage: "P1", stageEnteredAt: longAgo, lastActivityAt: longAgo, createdAt: longAgo, ownerId: f.members.carl!.id } });
    const text = (await say("carl", "lead mine")).text;
    // CSMs speak in P-levels: the list says the code beside the name, as /funnel, digests and cards do.
    expect(text).toMatch(new RegExp(`#${late.id} Late Onboarding Co — P1 Integration ⏰ overdue`));
    expect((await say("carl", "lead mine", undefined, "zh-CN")).text).toMatch(new RegExp(`#${fresh.id} Fresh Onboarding Co — P1 技术对接`));
    expect(text).not.toMatch(new RegExp(`#${fresh.id} Fresh Onboarding Co.*⏰`));
    expect(text.indexOf("Late Onboarding Co")).toBeLessThan(text.indexOf("Fresh Onboarding Co"));
  });

  it("hands an MQL to the next sales rep in turn, skipping reps who are away, and queues the card", async () => {
    const before = await f.db.prisma.outboxMessage.count();
    const first = await newMql("Rotation One");
    const second = await newMql("Rotation Two");
    await upsertMember(f.db, { ...f.members.chen!, away: true });
    const third = await newMql("Rotation Three");
    await upsertMember(f.db, { ...f.members.chen!, away: false });
    const owners = await f.db.prisma.account.findMany({ where: { id: { in: [first, second, third] } }, select: { id: true, ownerId: true }, orderBy: { id: "asc" } });
    const { alice, bob, chen } = f.members;
    // Reps in id order: alice, bob, chen; chen is away for the third lead, so it wraps to alice.
    expect(owners.map((o) => o.ownerId)).toEqual([alice!.id, bob!.id, alice!.id]);
    expect(owners.map((o) => o.ownerId)).not.toContain(chen!.id);
    // The MQL cards; every move also queues an in-place update of the account's earlier cards.
    const cards = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: before }, targetKind: { not: "cards" } }, orderBy: { id: "asc" } });
    const updates = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: before }, targetKind: "cards" } });
    expect(updates.map((u) => Number(u.target)).sort()).toEqual([first, second, third].sort());
    expect(cards.filter((c) => c.targetKind === "member").map((c) => Number(c.target))).toEqual([alice!.id, bob!.id, alice!.id]);
    expect(cards.filter((c) => c.targetKind === "team").every((c) => c.target === "sales")).toBe(true);
    // The rep's own copy says "you"; the channel's names the rep.
    const texts = cards.map((c) => [c.targetKind, (JSON.parse(c.payload) as { reply: { text: string } }).reply.text.split(":")[0]]);
    expect(texts.slice(0, 2)).toEqual([["member", "New MQL for you"], ["team", "New MQL for Alice"]]);
    const payload = JSON.parse(cards[0]!.payload) as { reply: { blocks: { kind: string; buttons?: { command: string; form?: unknown }[] }[] } };
    const buttons = payload.reply.blocks.find((b) => b.kind === "buttons")!.buttons!;
    expect(buttons.map((b) => b.command)).toEqual([`lead accept #${first}`, `lead return #${first}`, `lead unqualified #${first}`]);
    expect(buttons[1]!.form).toBeDefined();
  });

  it("lets exactly one of 20 concurrent accepts win; the others are told who did it", async () => {
    const reps = [];
    for (let i = 0; i < 20; i++) reps.push(await upsertMember(f.db, { handle: `race${i}`, displayName: `Racer ${i}`, teamKey: "sales", role: "rep", locale: "en" }));
    const id = await newMql("Race Corp");
    // Put the MQL back in the pool so that every rep may take it.
    await f.db.prisma.account.update({ where: { id }, data: { ownerId: null } });
    const replies = await Promise.all(reps.map((rep) => runCommand(f.ctx, rep, `lead accept #${id}`, { platform: "slack" })));
    const winners = replies.filter((r) => r.errorCode === undefined);
    const losers = replies.filter((r) => r.errorCode !== undefined);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    expect(new Set(losers.map((r) => r.errorCode))).toEqual(new Set(["already-done"]));
    const winner = reps[replies.indexOf(winners[0]!)]!;
    expect(losers[0]!.text).toContain(winner.displayName);
    const accepts = await f.db.prisma.stageEvent.count({ where: { accountId: id, fromStage: "MQL", toStage: "SAL" } });
    expect(accepts).toBe(1);
    expect(await f.db.prisma.account.findUnique({ where: { id }, select: { stage: true, version: true } })).toEqual({ stage: "SAL", version: 2 });
  });

  it("answers a repeated idempotency key with the first result and writes nothing", async () => {
    const id = await newMql("Replay Ltd");
    const actor = await ownerOf(id);
    const accepted = await runCommand(f.ctx, actor, `lead accept #${id}`, { platform: "slack", key: `slack:replay:${id}` });
    expect(accepted.errorCode).toBeUndefined();
    const before = await tableCounts(f.db);
    const again = await runCommand(f.ctx, actor, `lead accept #${id}`, { platform: "slack", key: `slack:replay:${id}` });
    expect(again.text).toBe(accepted.text);
    expect(again.errorCode).toBeUndefined();
    expect(await tableCounts(f.db)).toEqual(before);
    // Without the key the same command is a new request, and the account has already moved on.
    expect((await runCommand(f.ctx, actor, `lead accept #${id}`, { platform: "slack" })).errorCode).toBe("already-done");
    const direct = await actOnAccount(f.ctx, actor, id, { kind: "move", verb: "accept" }, { platform: "slack", key: `slack:replay:${id}` });
    expect(direct).toMatchObject({ ok: true, value: { accountId: id, toStage: "SAL" } });
    expect(await tableCounts(f.db)).toEqual(before);
  });

  it("writes nothing for bad input, and says what to type instead", async () => {
    const id = await newMql("Bad Input Co");
    const rep = await ownerOf(id);
    const sal = await newMql("Bad Answers Co");
    const salRep = await ownerOf(sal);
    expect((await say(salRep.handle, `lead accept #${sal}`)).errorCode).toBeUndefined();
    const before = await tableCounts(f.db);
    const cases: [string, string, string][] = [
      ["alice", "lead acept 42", "usage"],
      ["alice", "lead accept", "usage"],
      ["alice", `lead accept #${id} #${id}`, "usage"],
      ["alice", "lead accept #99999", "account-not-found"],
      ["alice", "lead accept Rotation", "account-ambiguous"],
      [rep.handle, `account advance #${id}`, "illegal-transition"],
      ["mia", `account churn #${id} price`, "illegal-transition"],
      ["mark", `lead accept #${id}`, "forbidden"],
      [rep.handle, `lead return #${id} because`, "unknown-reason"],
      ["alice", `account next #${id} 2026-02-30 call`, "invalid-date"],
      ["alice", `account renew #${id} -5`, "invalid-amount"],
      ["alice", `lead new ${"x".repeat(10_000)}`, "invalid-text"],
      ["alice", "lead show \u202Egnp.exe", "account-not-found"],
      [salRep.handle, `lead qualify #${sal} budget=lots date=tomorrow`, "invalid-form"],
      [rep.handle, `lead qualify #${id} budget=50000`, "illegal-transition"],
    ];
    for (const [handle, line, code] of cases) {
      const reply = await say(handle, line);
      expect({ line, code: reply.errorCode }).toEqual({ line, code });
      expect(reply.text.length).toBeLessThan(700);
      expect(reply.text).not.toMatch(/at .*\.ts:\d+|Error:/);
    }
    expect(await tableCounts(f.db)).toEqual(before);
  });

  it("answers in the member's language", async () => {
    const zh = await say("chen", "lead accept #99999");
    expect(zh.text).toContain("没有找到");
    const unknown = await runCommand(f.ctx, null, "lead mine", { platform: "slack" });
    expect(unknown.errorCode).toBe("unknown-member");
  });

  it("keeps failed BANT answers and moves on a passing one", async () => {
    const id = await newMql("Bant Systems");
    const rep = (await ownerOf(id)).handle;
    expect((await say(rep, `lead accept #${id}`)).errorCode).toBeUndefined();
    const failed = await say(rep, `lead qualify #${id} 预算=5万 预算确认=否 决策人=李伟 已参与=是 需求=群发 时间=2027-03-01`);
    expect(failed.errorCode).toBeUndefined();
    expect(await f.db.prisma.account.findUnique({ where: { id }, select: { stage: true } })).toEqual({ stage: "SAL" });
    const passed = await say(rep, `lead qualify #${id} budget=50000 confirmed=yes dm="Li Wei" engaged=yes need="bulk mail" date=2027-03-01`);
    expect(passed.errorCode).toBeUndefined();
    const answers = await f.db.prisma.bantAnswer.findMany({ where: { accountId: id }, orderBy: { id: "asc" }, select: { passed: true, budgetAmount: true } });
    expect(answers).toEqual([{ passed: false, budgetAmount: 50_000 }, { passed: true, budgetAmount: 50_000 }]);
    expect(await f.db.prisma.account.findUnique({ where: { id }, select: { stage: true } })).toEqual({ stage: "SQL" });
  });

  it("posts the deliverability guide to the owner when an account enters testing (P2)", async () => {
    const id = await newMql("Guide Mail Co");
    const rep = await ownerOf(id);
    const as = (handle: string, line: string) => say(handle, line);
    for (const line of [`lead accept #${id}`, `lead qualify #${id} budget=9000 confirmed=yes dm=Wu engaged=yes need=mail date=2027-01-01`, `account sign #${id}`, `account advance #${id} --confirm all`]) {
      expect((await as(rep.handle, line)).errorCode).toBeUndefined();
    }
    const csm = await ownerOf(id);
    const before = await f.db.prisma.outboxMessage.count();
    expect((await as(csm.handle, `account advance #${id} --confirm all`)).errorCode).toBeUndefined();
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("P2");
    const queued = await f.db.prisma.outboxMessage.findMany({ where: { id: { gt: before } } });
    const guide = queued.filter((m) => m.payload.includes("SPF, DKIM, DMARC"));
    // To the owner (even though they made the move) and to the CS channel.
    expect(guide.map((m) => [m.targetKind, m.target]).sort()).toEqual([["member", String(csm.id)], ["team", "cs"]]);
  });
});
