import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/platforms/cli/run-cli.js";
import { intakeLead, recordLeadActivity } from "../../src/services/lead-intake.js";
import { runCommand } from "../../src/services/run-command.js";
import { createAccount } from "../../src/store/accounts.js";
import { findActor, findMember, upsertMember } from "../../src/store/members.js";
import { ensureTask } from "../../src/store/tasks.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

/** Runs one CLI line in-process; returns the exit code and what it printed. */
async function cli(f: Fixture, line: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(line.split(/\s+/), async () => f.ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** An account in `stage` owned by `owner`, created directly in the store. */
async function account(f: Fixture, company: string, stage: string, owner: string): Promise<number> {
  const created = await createAccount(f.db, {
    company, domain: `${company.toLowerCase().replace(/\W/g, "")}.example`, email: null, source: null, region: null, industry: null,
    amount: 0, stage, ownerId: f.members[owner]!.id, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
  });
  if (created.kind !== "created") throw new Error("not created");
  return created.id;
}

async function ownerOf(f: Fixture, id: number): Promise<string | null> {
  const row = await f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } });
  return row.owner?.handle ?? null;
}

/** Every account in a stage with a move out has an owner who is still active. */
async function everyOpenAccountOwnedByAnActiveMember(f: Fixture): Promise<void> {
  const open = f.ctx.playbook.stages.filter((s) => f.ctx.playbook.transitions.some((t) => t.from === s.code)).map((s) => s.code);
  const rows = await f.db.prisma.account.findMany({ where: { stage: { in: open } }, select: { id: true, ownerId: true, owner: { select: { active: true } } } });
  for (const row of rows) expect({ id: row.id, owned: row.ownerId !== null && row.owner?.active === true }).toEqual({ id: row.id, owned: true });
}

describe.each(testDatabases())("offboarding a member on $name", ({ url }) => {
  let f: Fixture | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  it("hands every open account, pending MQL and task to the named member, each an event, keeps history and deactivates", async () => {
    f = await openFixture(await url());
    const mql = await account(f, "Pending Mql Co", "MQL", "alice");
    const sal = await account(f, "Accepted Sal Co", "SAL", "alice");
    const sql = await account(f, "Deal Sql Co", "SQL", "alice");
    const archived = await account(f, "Old Archived Co", "ARCHIVED", "alice");
    const other = await account(f, "Bobs Own Co", "SAL", "bob");
    await ensureTask(f.db, { accountId: sql, assigneeId: f.members.alice!.id, kind: "call", title: "call them", dueAt: null, at: f.clock.read() });
    // A task of alice's on an account she does not own goes too, the account staying with its owner.
    await ensureTask(f.db, { accountId: other, assigneeId: f.members.alice!.id, kind: "help", title: "help bob", dueAt: null, at: f.clock.read() });

    const dry = await cli(f, "members remove alice --to bob --dry-run");
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain("Dry run");
    expect(await ownerOf(f, mql)).toBe("alice");

    const done = await cli(f, "members remove alice --to bob");
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain("alice deactivated");
    for (const id of [mql, sal, sql]) expect(await ownerOf(f, id)).toBe("bob");
    expect(await ownerOf(f, archived)).toBe("alice"); // history is never rewritten
    expect(await ownerOf(f, other)).toBe("bob");
    const tasks = await f.db.prisma.task.findMany({ select: { assigneeId: true } });
    expect(tasks.every((t) => t.assigneeId === f!.members.bob!.id)).toBe(true);
    const events = await f.db.prisma.stageEvent.findMany({ where: { kind: "transferred" }, select: { accountId: true, data: true } });
    expect(events.map((e) => e.accountId).sort()).toEqual([mql, sal, sql, other].sort());
    expect(JSON.parse(events[0]!.data!)).toMatchObject({ repName: "Alice", ownerName: "Bob" });
    await everyOpenAccountOwnedByAnActiveMember(f);
    const shown = await runCommand(f.ctx, f.members.bob!, `lead show #${sal}`, { platform: "cli" });
    expect(shown.text).toContain("Alice left: handed over to Bob");
    // Bob hears once what he got.
    const told = await f.db.prisma.outboxMessage.findMany({ where: { targetKind: "member", target: String(f.members.bob!.id) }, select: { payload: true } });
    expect(told).toHaveLength(1);
    expect(told[0]!.payload).toContain("Alice has left; 4 of their account(s)");

    // Alice is a stranger now, on every surface, and never given anything again.
    expect(await findActor(f.db, { handle: "alice" })).toBeNull();
    expect((await findMember(f.db, { handle: "alice" }))?.active).toBe(false);
    const asAlice = await cli(f, "lead mine --as alice");
    expect(asAlice.code).not.toBe(0);
    const reassign = await runCommand(f.ctx, f.members.sam!, `account reassign #${sal} alice`, { platform: "cli" });
    expect(reassign.errorCode).toBe("inactive-member");
    for (let n = 0; n < 4; n++) {
      const domain = `hot${n}.example`;
      await intakeLead(f.ctx, { company: `Hot ${n}`, domain, title: "CEO", size: 5000, industry: "ecommerce", region: "cn" }, null, "webhook");
      await recordLeadActivity(f.ctx, { domain, type: "pricing-visit" }, `${domain}-1`);
      const hot = await recordLeadActivity(f.ctx, { domain, type: "pricing-visit" }, `${domain}-2`);
      expect(hot.ok && (await ownerOf(f, hot.value.accountId))).not.toBe("alice");
    }
    expect((await cli(f, "members list")).out).toMatch(/alice .*\(left\)/);
  });

  it("spreads the accounts over the team's round robin with --to team, never back to the one leaving", async () => {
    f = await openFixture(await url());
    const ids = [];
    for (let n = 0; n < 6; n++) ids.push(await account(f, `Robin ${n} Co`, n % 2 ? "SAL" : "MQL", "alice"));
    const done = await cli(f, "members remove alice --to team");
    expect(done.code, done.err).toBe(0);
    const owners = await Promise.all(ids.map((id) => ownerOf(f!, id)));
    expect(new Set(owners)).toEqual(new Set(["bob", "chen"]));
    await everyOpenAccountOwnedByAnActiveMember(f);
  });

  it("refuses, changing nothing, when an account would have nobody to go to, and names it", async () => {
    f = await openFixture(await url());
    const sql = await account(f, "Stuck Deal Co", "SQL", "alice");
    const before = await tableCounts(f.db);
    // Carl works customer success: not the SQL stage.
    const toCs = await cli(f, "members remove alice --to carl");
    expect(toCs.code).toBe(2);
    expect(toCs.err).toContain(`#${sql} Stuck Deal Co`);
    expect(toCs.err).toContain("Nothing changed");
    // A team whose only other reps are away has no round robin to give it to.
    await upsertMember(f.db, { ...f.members.bob!, away: true });
    await upsertMember(f.db, { ...f.members.chen!, away: true });
    const toTeam = await cli(f, "members remove alice --to team");
    expect(toTeam.code).toBe(2);
    expect(toTeam.err).toContain("Stuck Deal Co");
    expect(await tableCounts(f.db)).toEqual(before);
    expect((await findMember(f.db, { handle: "alice" }))?.active).toBe(true);
    expect(await ownerOf(f, sql)).toBe("alice");
  });

  it("keeps a team's last manager and the last admin", async () => {
    f = await openFixture(await url());
    const before = await tableCounts(f.db);
    const sam = await cli(f, "members remove sam --to bob");
    expect(sam.code).toBe(2);
    expect(sam.err).toContain("last manager of sales");
    const admin = await cli(f, "members remove admin --to mia");
    expect(admin.code).toBe(2);
    expect(admin.err).toContain("last admin");
    expect(await tableCounts(f.db)).toEqual(before);
    // With a second manager in sales, sam may go.
    await upsertMember(f.db, { handle: "sue", displayName: "Sue", teamKey: "sales", role: "manager", locale: "en" });
    expect((await cli(f, "members remove sam --to sue")).code).toBe(0);
  });
});
