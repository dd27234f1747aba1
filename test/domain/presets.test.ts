import { describe, expect, it } from "vitest";
import type { AccountState, Actor } from "../../src/domain/account.js";
import { decide, mainPath, type Action, type Decision } from "../../src/domain/funnel.js";
import type { Result } from "../../src/domain/errors.js";
import type { OwnerInfo } from "../../src/domain/permissions.js";
import { PlaybookSchema, stageOf, transitionsFrom, type Playbook, type Scoring } from "../../src/domain/playbook.js";
import { aftership } from "../../src/domain/presets/aftership.js";
import { loadPreset, PRESETS, presetNames } from "../../src/domain/presets/index.js";

const now = new Date("2026-11-23T02:00:00Z");
const today = "2026-11-23";
const bant = { budget: "8万", currency: "CNY", confirmed: "yes", dm: "Li Wei", role: "CTO", engaged: "yes", need: "Bulk orders", date: "2027-01-15" };

/** A manager and a rep for every team of the playbook. */
function people(playbook: Playbook): { manager: (team: string) => Actor; rep: (team: string) => Actor } {
  const index = (team: string) => playbook.teams.findIndex((t) => t.key === team);
  const person = (team: string, role: Actor["role"], base: number): Actor => {
    expect(index(team), `team ${team}`).toBeGreaterThanOrEqual(0);
    const id = base + index(team);
    return { id, handle: `${role}-${team}`, displayName: `${role} of ${team}`, teamKey: team, role, locale: "en", away: false };
  };
  return { manager: (team) => person(team, "manager", 100), rep: (team) => person(team, "rep", 200) };
}

function account(stage: string, ownerId: number | null = null): AccountState {
  const at = new Date("2026-11-20T00:00:00Z");
  return {
    id: 7, company: "Acme", domain: "acme.example", email: null, source: "web", ownerId, stage, stageEnteredAt: at, lastActivityAt: at,
    amount: 50_000, currency: "CNY", score: 0, nextStepAt: null, nextStepNote: null, version: 1,
  };
}

function ownerInfo(actor: Actor): OwnerInfo {
  return { id: actor.id, displayName: actor.displayName, teamKey: actor.teamKey };
}

function act(playbook: Playbook, state: AccountState, owner: OwnerInfo | null, actor: Actor, action: Action): Result<Decision> {
  return decide({ playbook, account: state, owner, actor, action, now, today, lastTransition: null });
}

function reachable(playbook: Playbook): Set<string> {
  const seen = new Set([playbook.initialStage]);
  const queue = [playbook.initialStage];
  for (let code = queue.shift(); code !== undefined; code = queue.shift()) {
    for (const t of transitionsFrom(playbook, code)) {
      if (!seen.has(t.to)) {
        seen.add(t.to);
        queue.push(t.to);
      }
    }
  }
  return seen;
}

// What each seed's model must look like: its main path, where it ends, and which stages are meant to be dead ends.
const EXPECTED: Record<string, { path: string[]; terminal: string[] }> = {
  "email-saas": { path: ["LEAD", "MQL", "SAL", "SQL", "PQL", "P0", "P1", "P2", "P3", "P4", "P5"], terminal: ["ARCHIVED"] },
  aftership: { path: ["LEAD", "MQL", "SAL", "SQL", "CUSTOMER"], terminal: ["CUSTOMER", "LOST", "UNQUALIFIED"] },
  manufacturer: { path: ["INQUIRY", "QUOTE", "NEGOTIATION", "PRODUCTION", "PAYMENT", "EVANGELIST"], terminal: ["EVANGELIST"] },
  "direct-sales": { path: ["LEAD", "FOLLOW_UP", "SQL", "OPPORTUNITY", "CUSTOMER"], terminal: ["CUSTOMER"] },
  "classic-funnel": {
    path: ["AWARENESS", "INTEREST", "CONSIDERATION", "INTENT", "EVALUATION", "PURCHASE", "RETENTION", "ADVOCACY"],
    terminal: [],
  },
};

describe("preset registry", () => {
  it("lists the five presets, the default first", () => {
    expect(presetNames).toEqual(["email-saas", "aftership", "manufacturer", "direct-sales", "classic-funnel"]);
    expect(Object.keys(PRESETS)).toEqual(presetNames);
  });

  it("parses each preset once and answers undefined for anything else", () => {
    const first = loadPreset("direct-sales");
    expect(first?.name).toBe("direct-sales");
    expect(loadPreset("direct-sales")).toBe(first);
    expect(loadPreset("nope")).toBeUndefined();
    expect(loadPreset("toString")).toBeUndefined();
  });
});

describe.each(Object.keys(EXPECTED))("the %s preset", (name) => {
  const expected = EXPECTED[name]!;

  it("is a valid playbook named after its preset, with both languages on every stage", () => {
    const parsed = PlaybookSchema.safeParse(PRESETS[name]);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.name).toBe(name);
    for (const stage of parsed.data!.stages) expect(stage.name.zh).not.toBe(stage.name.en);
  });

  it("reaches every stage from its entry stage", () => {
    const playbook = loadPreset(name)!;
    expect([...reachable(playbook)].sort()).toEqual(playbook.stages.map((s) => s.code).sort());
  });

  it("leaves no stage without an exit except its intended end points", () => {
    const playbook = loadPreset(name)!;
    const deadEnds = playbook.stages.filter((s) => transitionsFrom(playbook, s.code).length === 0).map((s) => s.code);
    expect(deadEnds.sort()).toEqual([...expected.terminal].sort());
  });

  it("gives every reason-taking move a list and every stage an owning team", () => {
    const playbook = loadPreset(name)!;
    for (const t of playbook.transitions) {
      if (["return", "disqualify", "lose", "churn"].includes(t.verb)) expect(t.reasons, `${t.from} → ${t.to}`).not.toBeNull();
    }
    for (const stage of playbook.stages) expect(stage.teams.length, stage.code).toBeGreaterThan(0);
  });

  it("walks its main path through decide from the entry stage to a customer stage", () => {
    const playbook = loadPreset(name)!;
    const { manager, rep } = people(playbook);
    expect([playbook.initialStage, ...mainPath(playbook).map((m) => m.to)]).toEqual(expected.path);

    let state = account(playbook.initialStage);
    let owner: OwnerInfo | null = null;
    for (const move of mainPath(playbook)) {
      const stage = stageOf(playbook, state.stage)!;
      const actor = manager(stage.teams[0]!);
      const action: Action = {
        kind: "move", verb: move.verb, confirm: stage.checklist.map((c) => c.key), answers: move.verb === "qualify" ? bant : null,
      };
      const result = act(playbook, state, owner, actor, action);
      expect(result.ok ? result.value.next.stage : result.error).toBe(move.to);
      if (!result.ok) return;
      // An unowned account is claimed by whoever acts on it: the claim comes first, unless the move hands it on.
      const claimed = result.value.events[0]?.kind === "claimed";
      if (claimed) expect(state.ownerId).toBeNull();
      expect(result.value.events.slice(claimed ? 1 : 0)).toEqual([expect.objectContaining({ kind: "transition", fromStage: move.from, toStage: move.to })]);

      // Where the domain recorded the checklist, leaving without confirming it must be refused.
      if (result.value.checklist) {
        expect(result.value.checklist).toEqual({ stage: stage.code, markers: stage.checklist.map((c) => c.key), override: null });
        const bare = act(playbook, state, owner, actor, { ...action, confirm: null });
        expect(bare).toMatchObject({ ok: false, error: { code: "checklist-incomplete", details: { stage: stage.code } } });
      }
      // With no routing facts given, a move that hands the account on names the team and leaves it unowned;
      // hand it to a rep of that team here, as the service's routing would.
      const assigned = result.value.assigned;
      if (assigned) {
        expect(result.value.next.ownerId).toBeNull();
        owner = ownerInfo(rep(assigned.team));
        state = { ...result.value.next, ownerId: owner.id };
      } else {
        state = result.value.next;
        // The owner the domain decided: the actor after a claim, nobody after a hand-back, else unchanged.
        owner = state.ownerId === actor.id ? ownerInfo(actor) : state.ownerId === null ? null : owner;
      }
    }
    expect(state.stage).toBe(expected.path.at(-1));
    expect(stageOf(playbook, state.stage)!.customer).toBe(true);
  });
});

describe("aftership: forward only", () => {
  const playbook = loadPreset("aftership")!;
  const { rep } = people(playbook);
  const alice = rep("sales");

  it("refuses to return a lead to marketing, naming the moves that are allowed", () => {
    const result = act(playbook, account("SAL", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "return", reason: "not-ready" });
    expect(result).toMatchObject({ ok: false, error: { code: "illegal-transition", details: { from: "SAL", verb: "return" } } });
    if (result.ok) return;
    expect(result.error.details.allowed).toEqual([{ verb: "qualify", to: "SQL" }, { verb: "disqualify", to: "UNQUALIFIED" }]);
  });

  it("refuses to advance back to an earlier stage by name", () => {
    const result = act(playbook, account("SQL", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "advance", to: "MQL", confirm: "all" });
    expect(result).toMatchObject({ ok: false, error: { code: "illegal-transition", details: { from: "SQL", to: "MQL" } } });
    if (result.ok) return;
    expect(result.error.details.allowed).toEqual([{ verb: "sign", to: "CUSTOMER" }, { verb: "lose", to: "LOST" }]);
  });

  it("lets nothing leave a lost deal, and refuses a playbook that adds a move back", () => {
    const result = act(playbook, account("LOST", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "recycle" });
    expect(result).toMatchObject({ ok: false, error: { code: "illegal-transition", details: { allowed: [] } } });
    const backwards = PlaybookSchema.safeParse({ ...aftership, transitions: [...aftership.transitions, { from: "SQL", to: "SAL", verb: "return" }] });
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues.map((i) => i.message)).toContain("forward-only playbook moves back from SQL to SAL");
  });
});

describe("direct-sales: returned and unqualified leads", () => {
  const playbook = loadPreset("direct-sales")!;
  const { rep, manager } = people(playbook);
  const alice = rep("sales");

  it("lets the rep return a lead to marketing with a reason from the list, and tells marketing", () => {
    const result = act(playbook, account("FOLLOW_UP", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "return", reason: "not-ready 明年预算" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.next.stage).toBe("RETURNED");
    expect(result.value.events[0]).toMatchObject({ fromStage: "FOLLOW_UP", toStage: "RETURNED", reasonCode: "not-ready", reasonText: "明年预算" });
    expect(result.value.effects).toContainEqual({ kind: "notify", audience: { team: "marketing" }, notice: "returned" });
  });

  it("refuses a return without a reason, offering the list", () => {
    const result = act(playbook, account("SQL", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "return" });
    expect(result).toMatchObject({ ok: false, error: { code: "reason-required", details: { list: "returned" } } });
  });

  it("sends a nurtured lead back to a sales rep, and re-evaluates an unqualified one from the start", () => {
    const mia = manager("marketing");
    const back = act(playbook, account("RETURNED", alice.id), ownerInfo(alice), mia, { kind: "move", verb: "recycle" });
    expect(back.ok && back.value.next.stage).toBe("FOLLOW_UP");
    const unqualified = act(playbook, account("FOLLOW_UP", alice.id), ownerInfo(alice), alice, { kind: "move", verb: "disqualify", reason: "缺乏财务能力" });
    expect(unqualified.ok && unqualified.value.events[0]).toMatchObject({ toStage: "UNQUALIFIED", reasonCode: "no-budget" });
    const again = act(playbook, account("UNQUALIFIED", alice.id), ownerInfo(alice), mia, { kind: "move", verb: "recycle" });
    expect(again.ok && again.value.next.stage).toBe("LEAD");
  });
});

describe("classic-funnel: lead scoring", () => {
  const scoring: Scoring = loadPreset("classic-funnel")!.scoring!;
  // The schema's meaning, applied by hand: points per behaviour occurrence plus one value per attribute;
  // `grades` are the lowest scores of hot and warm. Swap for the domain's scorer once there is one.
  const scoreOf = (behaviour: Record<string, number>, profile: Record<string, string>) =>
    Object.entries(behaviour).reduce((sum, [key, count]) => sum + (scoring.behaviour[key] ?? 0) * count, 0) +
    Object.entries(profile).reduce((sum, [attribute, value]) => sum + (scoring.demographic[attribute]?.[value] ?? 0), 0);
  const gradeOf = (score: number) => (score >= scoring.grades.hot ? "hot" : score >= scoring.grades.warm ? "warm" : "cold");

  it("scores the behaviours and demographics seed 002 names", () => {
    expect(Object.keys(scoring.behaviour)).toEqual(expect.arrayContaining(["page-visit", "download", "email-open", "email-click"]));
    expect(Object.keys(scoring.demographic).sort()).toEqual(["industry", "region", "size", "title"]);
    expect(scoring.grades.hot).toBeGreaterThan(scoring.grades.warm);
  });

  it("grades an engaged decision maker hot and over the MQL threshold", () => {
    const score = scoreOf(
      { "page-visit": 3, "key-page-visit": 1, download: 1, "email-open": 2, "email-click": 1 },
      { title: "c-level", size: "200-999", industry: "software", region: "cn" },
    );
    expect(score).toBe(69);
    expect(gradeOf(score)).toBe("hot");
    expect(score).toBeGreaterThanOrEqual(scoring.mqlThreshold);
  });

  it("keeps a warm lead in nurture and grades an idle one cold", () => {
    const warm = scoreOf({ "page-visit": 2, "email-open": 3, "email-click": 1 }, { title: "manager", size: "50-199", industry: "retail", region: "eu" });
    expect([warm, gradeOf(warm), warm < scoring.mqlThreshold]).toEqual([32, "warm", true]);
    const cold = scoreOf({ "email-open": 1 }, { title: "intern", size: "1-49", industry: "education", region: "na" });
    expect([cold, gradeOf(cold)]).toEqual([9, "cold"]);
  });
});
