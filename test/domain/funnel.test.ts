import { describe, expect, it } from "vitest";
import type { AccountState, Actor, StageEventRecord } from "../../src/domain/account.js";
import { decide, mainPath, transfer, type Action, type DecideInput } from "../../src/domain/funnel.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";

const playbook = PlaybookSchema.parse(emailSaas);
const now = new Date("2026-11-23T02:00:00Z");

function member(id: number, teamKey: string, role: Actor["role"] = "rep"): Actor {
  return { id, handle: `m${id}`, displayName: `Member ${id}`, teamKey, role, locale: "en", away: false };
}
const alice = member(1, "sales");
const bob = member(2, "sales");
const sam = member(3, "sales", "manager");
const mia = member(4, "marketing", "manager");
const carl = member(5, "cs");

function account(stage: string, ownerId: number | null = alice.id, fields: Partial<AccountState> = {}): AccountState {
  return {
    id: 42, company: "Acme", domain: "acme.example", email: null, source: "web", ownerId, stage,
    stageEnteredAt: new Date("2026-11-20T00:00:00Z"), lastActivityAt: new Date("2026-11-20T00:00:00Z"), amount: 1000, currency: "CNY",
    score: 0, nextStepAt: null, nextStepNote: null, version: 3, ...fields,
  };
}

function run(state: AccountState, actor: Actor, action: Action, extra: Partial<DecideInput> = {}) {
  const owner = state.ownerId === alice.id ? { id: alice.id, displayName: alice.displayName, teamKey: "sales" } : state.ownerId === carl.id ? { id: carl.id, displayName: carl.displayName, teamKey: "cs" } : null;
  return decide({ playbook, account: state, owner, actor, action, now, today: "2026-11-23", lastTransition: null, ...extra });
}

const goodBant = { budget: "5万", currency: "cny", confirmed: "是", dm: "Li Wei", role: "CTO", engaged: "yes", need: "Bulk email", date: "2027-01-15" };

describe("decide: moves", () => {
  it("accepts an MQL into SAL, bumps the version and records the event", () => {
    const result = run(account("MQL"), alice, { kind: "move", verb: "accept" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.next).toMatchObject({ stage: "SAL", stageEnteredAt: now, version: 4 });
    expect(result.value.events).toEqual([expect.objectContaining({ kind: "transition", fromStage: "MQL", toStage: "SAL" })]);
  });

  it("refuses a move that is not in the playbook and names the allowed ones", () => {
    const result = run(account("SQL"), alice, { kind: "move", verb: "accept" });
    expect(result).toMatchObject({ ok: false, error: { code: "illegal-transition" } });
    if (result.ok) return;
    expect(result.error.details.allowed).toEqual(expect.arrayContaining([{ verb: "validate", to: "PQL" }, { verb: "sign", to: "P0" }, { verb: "lose", to: "LOST" }]));
  });

  it("tells a late second click who already did it", () => {
    const last: StageEventRecord = {
      id: 9, accountId: 42, kind: "transition", fromStage: "MQL", toStage: "SAL", actorId: sam.id, actorName: "Sam", at: now, platform: "slack",
      reasonCode: null, reasonText: null, amount: null, data: null,
    };
    const result = run(account("SAL", null), bob, { kind: "move", verb: "accept" }, { lastTransition: last });
    expect(result).toMatchObject({ ok: false, error: { code: "already-done", details: { by: "Sam", stage: "SAL" } } });
  });

  it("does not mutate the account it was given", () => {
    const before = account("MQL");
    const copy = structuredClone(before);
    run(before, alice, { kind: "move", verb: "accept" });
    expect(before).toEqual(copy);
  });

  it("hands a lead to sales with an assignment to the sales team and a card for the new owner", () => {
    const result = run(account("LEAD", null), mia, { kind: "move", verb: "handoff", confirm: "all" });
    expect(result.ok && result.value.assigned).toEqual({ team: "sales", member: null });
    expect(result.ok && result.value.effects).toEqual([{ kind: "notify", audience: "owner", notice: "mql-assigned" }]);
    // The marketer does not become the owner of a lead they hand on, and nothing says they claimed it.
    expect(result.ok && result.value.events.map((e) => e.kind)).toEqual(["transition"]);
  });

  it("posts the deliverability guide to the owner on entering P2", () => {
    const result = run(account("P1", carl.id), carl, { kind: "move", verb: "advance", confirm: "all" });
    expect(result.ok && result.value.effects).toEqual([expect.objectContaining({ kind: "message", audience: "owner", text: expect.objectContaining({ zh: expect.stringContaining("到达率") }) })]);
  });

  it("sends a won-back account to sales for reassignment", () => {
    const result = run(account("CHURNED", carl.id), carl, { kind: "move", verb: "winback" });
    expect(result.ok && result.value.next.stage).toBe("PQL");
    expect(result.ok && result.value.assigned?.team).toBe("sales");
  });

  it("advances to a named stage only along an allowed move", () => {
    expect(run(account("P0"), alice, { kind: "move", verb: "advance", to: "P1", confirm: "all" }).ok).toBe(true);
    expect(run(account("P0"), alice, { kind: "move", verb: "advance", to: "P3", confirm: "all" })).toMatchObject({ ok: false, error: { code: "illegal-transition" } });
    expect(run(account("P0"), alice, { kind: "move", verb: "advance", to: "NOPE" })).toMatchObject({ ok: false, error: { code: "unknown-stage" } });
    expect(run(account("SQL"), alice, { kind: "move", verb: "advance", to: "LOST" })).toMatchObject({ ok: false, error: { code: "illegal-transition", details: { needs: "lose" } } });
  });

  it("walks the default main path from LEAD to P5", () => {
    expect(mainPath(playbook).map((t) => t.to)).toEqual(["MQL", "SAL", "SQL", "PQL", "P0", "P1", "P2", "P3", "P4", "P5"]);
  });
});

describe("decide: reasons", () => {
  it("requires a reason from the list to return a lead", () => {
    expect(run(account("MQL"), alice, { kind: "move", verb: "return" })).toMatchObject({ ok: false, error: { code: "reason-required" } });
    expect(run(account("MQL"), alice, { kind: "move", verb: "return", reason: "busy" })).toMatchObject({ ok: false, error: { code: "unknown-reason", details: { typed: "busy" } } });
  });

  it("reads a reason by key, by number and by Chinese label, keeping the free text", () => {
    const byKey = run(account("MQL"), alice, { kind: "move", verb: "return", reason: "no-contact called twice" });
    expect(byKey.ok && byKey.value.events[0]).toMatchObject({ reasonCode: "no-contact", reasonText: "called twice" });
    const byIndex = run(account("MQL"), alice, { kind: "move", verb: "return", reason: "2" });
    expect(byIndex.ok && byIndex.value.events[0]).toMatchObject({ reasonCode: "not-ready", reasonText: null });
    const byLabel = run(account("MQL"), alice, { kind: "move", verb: "return", reason: "联系不上 打了两次" });
    expect(byLabel.ok && byLabel.value.events[0]).toMatchObject({ reasonCode: "no-contact", reasonText: "打了两次" });
  });

  it("tells marketing of a returned lead", () => {
    const result = run(account("MQL"), alice, { kind: "move", verb: "return", reason: "not-ready" });
    expect(result.ok && result.value.effects).toContainEqual({ kind: "notify", audience: { team: "marketing" }, notice: "returned" });
  });
});

describe("decide: checklists", () => {
  it("refuses to leave a stage with unconfirmed markers, listing them", () => {
    const result = run(account("P0"), alice, { kind: "move", verb: "advance", confirm: ["contract-paid"] });
    expect(result).toMatchObject({ ok: false, error: { code: "checklist-incomplete", details: { stage: "P0" } } });
    if (result.ok) return;
    expect((result.error.details.missing as { key: string }[]).map((m) => m.key)).toEqual(["account-delivered"]);
  });

  it("lets a manager skip the checklist with a reason, and records it; a rep may not", () => {
    expect(run(account("P0"), alice, { kind: "move", verb: "advance", override: "customer in a hurry" })).toMatchObject({ ok: false, error: { code: "override-not-manager" } });
    const result = run(account("P0"), sam, { kind: "move", verb: "advance", override: "customer in a hurry" });
    expect(result.ok && result.value.checklist).toEqual({ stage: "P0", markers: [], override: "customer in a hurry" });
    expect(run(account("P0"), sam, { kind: "move", verb: "advance", override: "   " })).toMatchObject({ ok: false, error: { code: "checklist-incomplete" } });
  });
});

describe("decide: permissions", () => {
  it("keeps marketing out of onboarding", () => {
    expect(run(account("P1", carl.id), mia, { kind: "move", verb: "advance", confirm: "all" })).toMatchObject({ ok: false, error: { code: "forbidden", details: { team: "marketing" } } });
  });

  it("keeps a rep off another rep's account, but not their manager", () => {
    expect(run(account("MQL"), bob, { kind: "move", verb: "accept" })).toMatchObject({ ok: false, error: { code: "not-owner", details: { owner: alice.displayName } } });
    expect(run(account("MQL"), sam, { kind: "move", verb: "accept" }).ok).toBe(true);
  });

  it("lets any rep of the team take an unowned lead from the pool", () => {
    expect(run(account("MQL", null), bob, { kind: "move", verb: "accept" }).ok).toBe(true);
  });

  it("lets customer success act on a signed account still owned by sales", () => {
    expect(run(account("P0"), carl, { kind: "move", verb: "advance", confirm: "all" }).ok).toBe(true);
  });

  it("lets only managers reassign, and only to the stage's teams", () => {
    const to = { id: bob.id, displayName: bob.displayName, teamKey: "sales", role: "rep" };
    expect(run(account("SQL"), alice, { kind: "reassign", to })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(run(account("SQL"), sam, { kind: "reassign", to }).ok && true).toBe(true);
    expect(run(account("SQL"), sam, { kind: "reassign", to: { ...to, teamKey: "marketing" } })).toMatchObject({ ok: false, error: { code: "forbidden" } });
  });
});

describe("decide: BANT", () => {
  it("moves SAL to SQL when the budget is confirmed and the decision maker engaged", () => {
    const result = run(account("SAL"), alice, { kind: "move", verb: "qualify", answers: goodBant });
    expect(result.ok && result.value.next.stage).toBe("SQL");
    expect(result.ok && result.value.bant?.answers).toMatchObject({ budgetAmount: 50_000, budgetCurrency: "CNY", targetDate: "2027-01-15", budgetConfirmed: true });
  });

  it("keeps the stage and the answers when BANT fails", () => {
    const result = run(account("SAL"), alice, { kind: "move", verb: "qualify", answers: { ...goodBant, engaged: "no" } });
    expect(result.ok && result.value.next.stage).toBe("SAL");
    expect(result.ok && result.value.events[0]?.kind).toBe("bant-failed");
    expect(result.ok && result.value.bant).toMatchObject({ passed: false, failures: ["engaged"] });
  });

  it("refuses malformed answers field by field", () => {
    const result = run(account("SAL"), alice, { kind: "move", verb: "qualify", answers: { ...goodBant, budget: "lots", date: "2026-02-30", dm: "" } });
    expect(result).toMatchObject({ ok: false, error: { code: "invalid-form", details: { fields: { budget: "invalid-amount", date: "invalid-date", dm: "required" } } } });
    const past = run(account("SAL"), alice, { kind: "move", verb: "qualify", answers: { ...goodBant, date: "2026-11-22" } });
    expect(past).toMatchObject({ ok: false, error: { details: { fields: { date: "date-in-past" } } } });
  });
});

describe("decide: account events", () => {
  it("adds renewals to the amount in P5 only", () => {
    const result = run(account("P5", carl.id), carl, { kind: "amount", type: "renewal", amount: 2500 });
    expect(result.ok && result.value.next.amount).toBe(3500);
    expect(result.ok && result.value.next.stage).toBe("P5");
    expect(run(account("P3", carl.id), carl, { kind: "amount", type: "expansion", amount: 10 })).toMatchObject({ ok: false, error: { code: "not-a-customer", details: { stages: ["P5"] } } });
  });

  it("sets a next step without moving the stage", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const result = run(account("SQL"), alice, { kind: "next-step", day: "2026-12-01", at, note: "kick-off" });
    expect(result.ok && result.value.next).toMatchObject({ stage: "SQL", nextStepAt: at, nextStepNote: "kick-off" });
  });
});

describe("transfer: a leaving member's work", () => {
  const leaving = { id: alice.id, displayName: alice.displayName, teamKey: "sales" };
  const routing = (members: Actor[]) => ({ team: "sales", members, lastAssignedId: null, releases: [], lead: null });

  it("hands an owned account to a named active member as one event, and its tasks with it", () => {
    const result = transfer({ playbook, account: account("SAL"), leaving, to: { kind: "member", member: bob }, tasks: [7], now });
    expect(result.ok && result.value.next).toMatchObject({ ownerId: bob.id, version: 4, stage: "SAL" });
    expect(result.ok && result.value.events).toEqual([expect.objectContaining({ kind: "transferred", data: { repId: 1, repName: "Member 1", ownerId: 2, ownerName: "Member 2", tasks: [7] } })]);
    expect(result.ok && result.value.tasks).toEqual({ ids: [7], from: alice.id, to: bob.id });
  });

  it("refuses a successor who left, one whose team does not work the stage, and a team with nobody free", () => {
    expect(transfer({ playbook, account: account("SAL"), leaving, to: { kind: "member", member: { ...bob, active: false } }, tasks: [], now })).toMatchObject({ ok: false, error: { code: "inactive-member" } });
    expect(transfer({ playbook, account: account("SQL"), leaving, to: { kind: "member", member: carl }, tasks: [], now })).toMatchObject({ ok: false, error: { code: "no-successor", details: { team: "cs" } } });
    const nobody = routing([alice, { ...bob, away: true }, { ...member(6, "sales"), active: false } as Actor]);
    expect(transfer({ playbook, account: account("MQL"), leaving, to: { kind: "team", routing: nobody }, tasks: [], now })).toMatchObject({ ok: false, error: { code: "no-successor" } });
  });

  it("takes the team's next free rep, never the one leaving, and moves the round-robin cursor", () => {
    const result = transfer({ playbook, account: account("MQL"), leaving, to: { kind: "team", routing: routing([alice, bob, sam]) }, tasks: [], now });
    expect(result.ok && result.value.next.ownerId).toBe(bob.id);
    expect(result.ok && result.value.assigned).toMatchObject({ team: "sales", member: { id: bob.id } });
  });
});
