import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply } from "../../src/commands/reply.js";
import type { ServiceContext } from "../../src/services/context.js";
import { openCommand, runCommand, type Opened } from "../../src/services/run-command.js";
import { createAccount } from "../../src/store/accounts.js";
import type { Database, Prisma } from "../../src/store/database.js";
import type { Driver } from "../../src/store/driver.js";
import { findActor, updateMember, type Identity } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

/** Runs what `openCommand` opened, which must have found a member. */
async function run(opened: Opened): Promise<Reply> {
  if (!opened.actor) throw new Error("no member");
  return opened.run();
}

/**
 * A context over the fixture's database that counts what its commands ask of the database: each call on the
 * driver (one round trip on PostgreSQL, where a command's save is one statement; on SQLite a save's
 * transaction is one synchronous call) and each Prisma query.
 */
function counted(f: Fixture): { ctx: ServiceContext; statements: () => number } {
  let n = 0;
  const driver: Driver = {
    rows: (statement) => (n++, f.db.driver.rows(statement)),
    run: (statement) => (n++, f.db.driver.run(statement)),
    transaction: (steps) => (n++, f.db.driver.transaction(steps)),
    close: async () => undefined,
  };
  const prisma = f.db.prisma.$extends({ query: { $allOperations: ({ args, query }) => (n++, query(args)) } }) as unknown as Prisma;
  const db: Database = { ...f.db, driver, prisma };
  return { ctx: { ...f.ctx, db, calendar: f.ctx.calendar }, statements: () => n };
}

describe.each(testDatabases())("a command read with who sent it ($name)", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
    // Alice is on both platforms; Bob only on Slack.
    await updateMember(f.db, "alice", { slackUserId: "U_ALICE", wecomUserId: "alice.w" });
    await updateMember(f.db, "bob", { slackUserId: "U_BOB" });
    await updateMember(f.db, "mark", { slackUserId: "U_MARK" });
  });
  afterAll(async () => f?.close());

  let made = 0;
  async function mql(owner: string | null, company = `Open Co ${(made += 1)}`, stage = "MQL"): Promise<number> {
    const created = await createAccount(f.db, {
      company, domain: `open-${(made += 1)}.example`, email: null, source: "web", region: null, industry: null, amount: 1200, stage,
      ownerId: owner ? f.members[owner]!.id : null, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
    });
    if (created.kind !== "created") throw new Error("not created");
    return created.id;
  }
  const stageOf = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage;
  const unclaim = (id: number) => f.db.prisma.account.update({ where: { id }, data: { ownerId: null } });
  const ownerOf = async (id: number) => (await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).ownerId;
  const slack = (key: string) => ({ platform: "slack" as const, key });

  it("accepts as the member a Slack id names, reading them with the account's facts: the sender with the facts, then the save: two round trips", async () => {
    const id = await mql("alice");
    const { ctx, statements } = counted(f);
    const opened = await openCommand(ctx, { slackUserId: "U_ALICE" }, `/lead accept #${id}`, slack("slack:command:t1"));
    expect(statements()).toBe(1);
    expect(opened.actor).toMatchObject({ id: f.members.alice!.id, handle: "alice", role: "rep", locale: "en", away: false });
    const reply = await run(opened);
    expect(reply.errorCode).toBeUndefined();
    expect(statements()).toBe(2);
    expect(await stageOf(id)).toBe("SAL");

    // The same delivery again: answered from its key, read in that same first statement, and nothing run or written.
    const before = await tableCounts(f.db);
    const again = await openCommand(ctx, { slackUserId: "U_ALICE" }, `/lead accept #${id}`, slack("slack:command:t1"));
    expect(await run(again)).toEqual(reply);
    expect(statements()).toBe(3);
    expect(await tableCounts(f.db)).toEqual(before);

    // The member read apart, as before, costs a statement of its own.
    const other = await mql("alice");
    const apart = counted(f);
    const actor = await findActor(apart.ctx.db, { slackUserId: "U_ALICE" });
    await runCommand(apart.ctx, actor, `/lead accept #${other}`, slack("slack:command:t2"));
    expect(apart.statements()).toBe(3);
    // The count sees Prisma's queries too, raw ones included.
    await apart.ctx.db.prisma.$queryRawUnsafe("SELECT 1");
    await apart.ctx.db.prisma.member.count();
    expect(apart.statements()).toBe(5);
  });

  it("knows a member on both platforms as one, on either", async () => {
    for (const [identity, key] of [[{ slackUserId: "U_ALICE" }, "s"], [{ wecomUserId: "alice.w" }, "w"], [{ handle: "alice" }, "h"]] as const) {
      const id = await mql("alice");
      const opened = await openCommand(f.ctx, identity, `lead accept #${id}`, { platform: "cli", key });
      expect(opened.actor?.id).toBe(f.members.alice!.id);
      expect((await run(opened)).errorCode).toBeUndefined();
      expect(await stageOf(id)).toBe("SAL");
    }
  });

  it("finds nobody for an unknown id or a member who left, runs nothing and writes nothing", async () => {
    const id = await mql("bob");
    await updateMember(f.db, "bob", { active: false });
    try {
      const before = await tableCounts(f.db);
      const identities: Identity[] = [{ slackUserId: "U_NOBODY" }, { slackUserId: "U_BOB" }, { wecomUserId: "U_ALICE" }, { platform: "slack", externalId: "alice.w" }];
      for (const identity of identities) {
        for (const line of [`/lead accept #${id}`, "/lead mine", "/lead accept nonsense words"]) {
          const opened = await openCommand(f.ctx, identity, line, slack("slack:command:stranger"));
          expect({ identity, line, opened }).toEqual({ identity, line, opened: { actor: null } });
        }
      }
      expect(await tableCounts(f.db)).toEqual(before);
      expect(await stageOf(id)).toBe("MQL");
    } finally {
      await updateMember(f.db, "bob", { active: true });
    }
  });

  it("never answers one member from another's stored answer under the same platform key", async () => {
    const id = await mql("alice");
    const first = await openCommand(f.ctx, { slackUserId: "U_ALICE" }, `/lead accept #${id}`, slack("slack:action:shared"));
    expect((await run(first)).errorCode).toBeUndefined();
    // Bob sends the same key for the same account: decided afresh as Bob (the lead is accepted already).
    const bob = await openCommand(f.ctx, { slackUserId: "U_BOB" }, `/lead accept #${id}`, slack("slack:action:shared"));
    const refused = await run(bob);
    expect(refused.errorCode).toBeDefined();
  });

  // Each line on an account of its own in this stage, owned by this member (null: in the pool).
  const parityLines: [string, string, string | null][] = [
    ["lead accept #ID", "MQL", "alice"], ["lead return #ID --reason not-ready", "MQL", "alice"], ["lead unqualified #ID --reason no-budget", "MQL", "alice"],
    ["lead lost #ID --reason price", "MQL", "alice"], ["lead accept #ID --reason x", "MQL", "alice"], ["lead return #ID", "MQL", "alice"],
    // Read with the member too since the hand-off, advance, claim and reassign were folded in.
    ["lead handoff #ID", "LEAD", "mark"], ["lead handoff #ID --confirm all", "LEAD", "mark"], ["lead handoff #ID --confirm contact-complete", "LEAD", null],
    ["account advance #ID", "P0", "carl"], ["account advance #ID --confirm all", "P0", "carl"], ["account advance #ID P1 --override signed late", "P0", "carl"],
    ["lead claim #ID", "MQL", null], ["lead claim #ID", "MQL", "bob"],
    ["account reassign #ID bob", "SQL", "alice"], ["account reassign #ID cathy", "P0", "carl"], ["account reassign #ID nobody", "SQL", "alice"],
  ];

  it("decides as runCommand does for every member, verb and line: the same answers, the same permissions", async () => {
    for (const [handle, member] of Object.entries(f.members)) {
      await updateMember(f.db, handle, { slackUserId: `U_P_${handle}` });
      for (const [n, [line, stage, owner]] of parityLines.entries()) {
        const [a, b] = [await mql(owner, "Parity Co", stage), await mql(owner, "Parity Co", stage)];
        // Both ways start from the same round-robin turn (a hand-off assigns the next rep).
        const turns = await f.db.prisma.team.findMany({ select: { key: true, lastAssignedId: true } });
        const sameTurn = () => Promise.all(turns.map((x) => f.db.prisma.team.update({ where: { key: x.key }, data: { lastAssignedId: x.lastAssignedId } })));
        const before = await runCommand(f.ctx, await findActor(f.db, { handle }), line.replace("ID", String(a)), { platform: "slack", key: `p:${handle}:${n}:a` });
        const ownerA = await ownerOf(a);
        // ... and the same claims held (a claim counts against the member's limit).
        if (owner === null) await unclaim(a);
        await sameTurn();
        const opened = await openCommand(f.ctx, { slackUserId: `U_P_${handle}` }, line.replace("ID", String(b)), { platform: "slack", key: `p:${handle}:${n}:b` });
        expect(opened.actor?.id).toBe(member.id);
        const after = await run(opened);
        const same = (reply: Reply, id: number) => JSON.stringify(reply).replace(new RegExp(`\\b${id}\\b`, "g"), "ID");
        expect({ handle, line, reply: same(after, b) }).toEqual({ handle, line, reply: same(before, a) });
        expect(await stageOf(b)).toBe(await stageOf(a));
        expect(await ownerOf(b)).toBe(ownerA);
        if (owner === null) await unclaim(b);
      }
    }
  });

  it("reads the member with the facts for a hand-off, an advance, a claim and a reassign: one round trip fewer", async () => {
    for (const [by, line, stage, owner] of [
      ["mia", "lead handoff #ID --confirm all", "LEAD", "mark"], ["cathy", "account advance #ID --confirm all", "P0", "carl"],
      ["chen", "lead claim #ID", "MQL", null], ["sam", "account reassign #ID bob", "SQL", "alice"],
    ] as const) {
      await updateMember(f.db, by, { slackUserId: `U_C_${by}` });
      const [a, b] = [await mql(owner, "Count Co", stage), await mql(owner, "Count Co", stage)];
      const apart = counted(f);
      const before = await runCommand(apart.ctx, await findActor(apart.ctx.db, { slackUserId: `U_C_${by}` }), line.replace("ID", String(a)), slack(`count:${line}:a`));
      if (owner === null) await unclaim(a);
      const folded = counted(f);
      const after = await run(await openCommand(folded.ctx, { slackUserId: `U_C_${by}` }, line.replace("ID", String(b)), slack(`count:${line}:b`)));
      expect({ line, a: before.errorCode, b: after.errorCode }).toEqual({ line, a: undefined, b: undefined });
      expect({ line, statements: folded.statements() }).toEqual({ line, statements: apart.statements() - 1 });
    }
  });
});
