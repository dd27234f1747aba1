import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, Role } from "../../src/domain/account.js";
import { PlaybookSchema, stageOf } from "../../src/domain/playbook.js";
import {
  ASKERS, OWNERSHIPS, TEAM_RELATIONS, permission, type Answer, type Capability, type Ownership,
} from "../../src/domain/permissions.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { runCommand } from "../../src/services/run-command.js";
import { createAccount } from "../../src/store/accounts.js";
import { upsertMember, type MemberRecord } from "../../src/store/members.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

// A claim limit no walk reaches: every combination is tried by the same few members.
const playbook = PlaybookSchema.parse({ ...emailSaas, routing: { claimLimit: 10_000 } });
const BANT = "budget=50000 confirmed=yes dm=Li engaged=yes need=bulk date=2027-03-01";

/** For each capability that acts on one account: a stage where it is a legal move, and the command that asks for it. */
const SCENARIOS: Partial<Record<Capability, { stage: string; line: (id: number) => string; first?: Capability; nobodyElse?: "nothing-to-nudge" }>> = {
  handoff: { stage: "LEAD", line: (id) => `lead handoff #${id} --confirm all` },
  accept: { stage: "MQL", line: (id) => `lead accept #${id}` },
  return: { stage: "MQL", line: (id) => `lead return #${id} no-contact` },
  disqualify: { stage: "SAL", line: (id) => `lead unqualified #${id} spam` },
  qualify: { stage: "SAL", line: (id) => `lead qualify #${id} ${BANT}` },
  validate: { stage: "SQL", line: (id) => `account validate #${id}` },
  "validate-pass": { stage: "PQL", line: (id) => `account validate #${id} pass` },
  "validate-fail": { stage: "PQL", line: (id) => `account validate #${id} fail` },
  sign: { stage: "SQL", line: (id) => `account sign #${id}` },
  advance: { stage: "P1", line: (id) => `account advance #${id} --confirm all` },
  lose: { stage: "SQL", line: (id) => `lead lost #${id} price` },
  churn: { stage: "P2", line: (id) => `account churn #${id} price` },
  winback: { stage: "CHURNED", line: (id) => `account recall #${id}` },
  archive: { stage: "LOST", line: (id) => `account archive #${id}` },
  recycle: { stage: "LOST", line: (id) => `lead recycle #${id}` },
  renew: { stage: "P5", line: (id) => `account renew #${id} 1000` },
  "next-step": { stage: "SQL", line: (id) => `account next #${id} 2027-01-15 call them` },
  reassign: { stage: "SQL", line: (id) => `account reassign #${id} @walk-target` },
  // A nudge needs an owner other than the asker: where the table allows it on their own or an unowned account, it is refused as pointless.
  nudge: { stage: "SQL", line: (id) => `account nudge #${id}`, nobodyElse: "nothing-to-nudge" },
  // Skipping a checklist is asked on the way out of the stage: the move itself is checked first.
  override: { stage: "P1", line: (id) => `account advance #${id} --override "customer is live already"`, first: "advance" },
  claim: { stage: "MQL", line: (id) => `lead claim #${id}` },
};

/** The pool's stage is the only one whose unowned accounts are "pool"; elsewhere they are "unowned". */
const possible = (stage: string, ownership: Ownership) => (stage === "MQL" ? ownership !== "unowned" : ownership !== "pool");

describe.each(testDatabases())("the permission table, walked through the services on $name", ({ url }) => {
  let f: Fixture;
  const people = new Map<string, MemberRecord>();
  /** A member of `team` with `role`, made once (`n` tells two of the same kind apart). */
  const member = async (team: string, role: Role, n = 1): Promise<MemberRecord> => {
    const handle = `walk-${team}-${role}-${n}`;
    if (!people.has(handle)) people.set(handle, await upsertMember(f.db, { handle, displayName: handle, teamKey: team, role, locale: "en" }));
    return people.get(handle)!;
  };

  beforeAll(async () => {
    f = await openFixture(await url(), playbook);
    await upsertMember(f.db, { handle: "walk-target", displayName: "Walk Target", teamKey: "sales", role: "rep", locale: "en" });
  });
  afterAll(async () => f?.close());

  const cases = Object.entries(SCENARIOS).flatMap(([capability, scenario]) =>
    ASKERS.filter((a) => a !== "bot").flatMap((asker) => TEAM_RELATIONS.flatMap((team) =>
      OWNERSHIPS.filter((o) => possible(scenario!.stage, o)).map((ownership) => ({ capability: capability as Capability, asker, team, ownership })))));

  it(`gives every one of the ${cases.length} reachable combinations the table's answer, and writes nothing when it refuses`, async () => {
    const mismatches: string[] = [];
    for (const { capability, asker, team, ownership } of cases) {
      const scenario = SCENARIOS[capability]!;
      const stage = stageOf(playbook, scenario.stage)!;
      // The actor's team: the stage's own first team, or one that does not act on the stage at all.
      const teamKey = team === "own" ? stage.teams[0]! : playbook.teams.map((t) => t.key).find((k) => !stage.teams.includes(k))!;
      const role: Role = asker === "stranger" ? "rep" : asker;
      const actor = await member(teamKey, role);
      const otherTeam = playbook.teams.map((t) => t.key).find((k) => k !== teamKey)!;
      const ownerId = {
        own: actor.id, teammate: (await member(teamKey, "rep", 2)).id, "other-team": (await member(otherTeam, "rep", 3)).id, unowned: null, pool: null,
      }[ownership];
      const created = await createAccount(f.db, {
        company: `Walk ${capability} ${asker} ${team} ${ownership}`, domain: null, email: null, source: "walk", region: null, industry: null,
        amount: 0, stage: stage.code, ownerId, actorId: null, platform: "cli", at: f.clock.read(), idempotency: null,
      });
      if (created.kind !== "created") throw new Error("account not created");
      const id = created.id;
      const before = await f.db.prisma.account.findUniqueOrThrow({ where: { id } });
      const before1 = scenario.first ? permission(scenario.first, asker, team, ownership) : "allow";
      const table: Answer = typeof before1 === "object" ? before1 : permission(capability, asker, team, ownership);
      const nobodyElse = scenario.nobodyElse && typeof table !== "object" && (ownership === "own" || ownership === "unowned" || ownership === "pool");
      const expected: Answer = nobodyElse ? { deny: scenario.nobodyElse! } : table;
      // Every table is counted around a refusal, to prove it wrote nothing.
      const counts = typeof expected === "object" ? await tableCounts(f.db) : null;
      const reply = await runCommand(f.ctx, asker === "stranger" ? null : (actor as Actor), scenario.line(id), { platform: "cli" });
      const after = await f.db.prisma.account.findUniqueOrThrow({ where: { id } });
      const label = `${capability} by ${asker} (${team} team) on ${ownership}`;
      if (typeof expected === "object") {
        if (reply.errorCode !== expected.deny) mismatches.push(`${label}: expected ${expected.deny}, got ${reply.errorCode ?? "done"} (${reply.text})`);
        if (after.version !== before.version) mismatches.push(`${label}: refused but the account changed`);
        const now = await tableCounts(f.db);
        if (JSON.stringify(now) !== JSON.stringify(counts)) mismatches.push(`${label}: refused but rows were written`);
        continue;
      }
      if (reply.errorCode !== undefined) {
        mismatches.push(`${label}: expected ${expected}, got ${reply.errorCode} (${reply.text})`);
        continue;
      }
      if (after.version === before.version) mismatches.push(`${label}: answered but nothing changed`);
      if (expected === "claim") {
        // Whoever acts on an unowned account owns it afterwards, unless the move handed it on (to sales, back to marketing).
        const target = stageOf(playbook, after.stage)!;
        const handedOn = !target.teams.includes(actor.teamKey) || (target.assignTo !== null && target.assignTo !== actor.teamKey);
        if (!handedOn && after.ownerId !== actor.id) mismatches.push(`${label}: claimed but owned by ${after.ownerId}`);
        if (after.ownerId === null && after.stage === "SAL") mismatches.push(`${label}: left an accepted lead without an owner`);
        if (ownership === "pool") {
          const claimed = await f.db.prisma.stageEvent.count({ where: { accountId: id, kind: "claimed", actorId: actor.id } });
          if (claimed !== 1) mismatches.push(`${label}: a pool lead taken without a claimed event`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 240_000);

  it("opens reads to every member and none to strangers", async () => {
    const reads: [Capability, string][] = [["show", "lead show #1"], ["mine", "lead mine"], ["pool", "lead pool"], ["tasks", "account tasks"], ["funnel", "funnel"], ["digest", "funnel digest sales"]];
    for (const [capability, line] of reads) {
      for (const asker of ["rep", "manager", "admin"] as const) {
        expect(permission(capability, asker, "other", "teammate")).toBe("allow");
        const reply = await runCommand(f.ctx, await member("support", asker), line, { platform: "cli" });
        expect([capability, reply.errorCode]).toEqual([capability, undefined]);
      }
      expect((await runCommand(f.ctx, null, line, { platform: "cli" })).errorCode).toBe("unknown-member");
    }
  });
});
