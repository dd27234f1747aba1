import type { AccountState, Actor, EventDraft, StageEventRecord } from "./account.js";
import { checkBant, type BantAnswers, type BantField } from "./bant.js";
import { err, ok, type Result } from "./errors.js";
import { mayAct, type Capability, type OwnerInfo } from "./permissions.js";
import { stageOf, transitionsFrom, type Label, type Playbook, type Stage, type Transition, type Verb } from "./playbook.js";
import { resolveReason } from "./reasons.js";
import { chooseRep, cooldownUntil, isPoolStage, type Candidate, type ClaimFacts, type RoutingFacts } from "./routing.js";

/** What someone asks the funnel to do to an account. */
export type Action =
  | {
      readonly kind: "move";
      readonly verb: Verb;
      /** A named target stage; without it the verb's only target is used. */
      readonly to?: string | null;
      readonly reason?: string | null;
      readonly confirm?: readonly string[] | "all" | null;
      readonly override?: string | null;
      /** BANT answers, for `qualify`. */
      readonly answers?: Readonly<Record<string, string>> | null;
    }
  | { readonly kind: "amount"; readonly type: "renewal" | "expansion"; readonly amount: number }
  | { readonly kind: "reassign"; readonly to: OwnerInfo & { readonly role: string; readonly active?: boolean } }
  | { readonly kind: "next-step"; readonly day: string; readonly at: Date; readonly note: string }
  /** Take an unowned account from the public pool (公海). */
  | { readonly kind: "claim" }
  /** Ask the owner, by DM, to look at the account (a manager, from a stalled row of the digest). */
  | { readonly kind: "nudge" };

/** Work the caller must carry out after saving: nothing here runs anything. */
export type Effect =
  /** Tell people about what happened (the MQL card to the new owner, a return to marketing …). */
  | { readonly kind: "notify"; readonly audience: "owner" | { readonly team: string }; readonly notice: Notice }
  /** A playbook automation's message, in both languages. */
  | { readonly kind: "message"; readonly audience: "owner" | { readonly team: string }; readonly text: Label };

/** What a notification is about; renderers turn it into a card. */
export type Notice = "mql-assigned" | "returned" | "disqualified" | "lost" | "churned" | "won-back" | "reassigned" | "claimed" | "nudged";

/** The accepted outcome of an action. */
export interface Decision {
  readonly next: AccountState;
  readonly events: readonly EventDraft[];
  readonly effects: readonly Effect[];
  /** The BANT answers to keep, whether they passed or not. */
  readonly bant: { readonly answers: BantAnswers; readonly passed: boolean; readonly failures: BantField[] } | null;
  /** Checklist markers confirmed or skipped on the way out of the old stage. */
  readonly checklist: { readonly stage: string; readonly markers: readonly string[]; readonly override: string | null } | null;
  /** The member a move handed the account to (round robin or routing rules); null member: nobody free, so the pool. */
  readonly assigned: { readonly team: string; readonly member: Candidate | null } | null;
  /** What BANT's budget did to the account's amount, for the reply to say (qualify only). */
  readonly budget?: BudgetEffect | null;
}

/**
 * What a BANT budget did to the account's amount: a confirmed budget sets it (`set`) unless it already says the
 * same (`same`); an unconfirmed one leaves it as it was (`unconfirmed`).
 */
export type BudgetEffect =
  | { readonly kind: "set"; readonly amount: number; readonly currency: string; readonly previous: number; readonly previousCurrency: string }
  | { readonly kind: "same"; readonly amount: number; readonly currency: string }
  | { readonly kind: "unconfirmed"; readonly amount: number; readonly currency: string };

/** The amount a BANT budget gives the account, decided once for both the pass and the fail path. */
function budgetEffect(account: AccountState, answers: BantAnswers): { effect: BudgetEffect; amount: number; currency: string } {
  const { budgetAmount: amount, budgetCurrency: currency } = answers;
  if (!answers.budgetConfirmed) return { effect: { kind: "unconfirmed", amount: account.amount, currency: account.currency }, amount: account.amount, currency: account.currency };
  if (account.amount === amount && account.currency === currency) return { effect: { kind: "same", amount, currency }, amount, currency };
  return { effect: { kind: "set", amount, currency, previous: account.amount, previousCurrency: account.currency }, amount, currency };
}

/** Everything `decide` needs; `now` and `today` (in the business timezone) come from the caller's clock. */
export interface DecideInput {
  readonly playbook: Playbook;
  readonly account: AccountState;
  readonly owner: OwnerInfo | null;
  readonly actor: Actor;
  readonly action: Action;
  readonly now: Date;
  readonly today: string;
  /** The account's latest transition, to tell a late second click who already acted. */
  readonly lastTransition: StageEventRecord | null;
  /** The pool's facts, for an unowned account (claimed before anything else is done to it). */
  readonly claim?: ClaimFacts | null;
  /** The team a move may hand the account to, when {@link routingTeam} names one. */
  readonly routing?: RoutingFacts | null;
}

// Verbs that leave a stage on its main path, so the stage's checklist must be confirmed first.
const GATED: ReadonlySet<Verb> = new Set(["handoff", "advance", "sign", "validate", "validate-pass"]);

const none = { bant: null, checklist: null, assigned: null } as const;

/** The capability of the permission table an action needs. */
function capabilityOf(action: Action): Capability {
  switch (action.kind) {
    case "move": return action.verb;
    case "amount": return "renew";
    case "reassign": return "reassign";
    case "next-step": return "next-step";
    case "claim": return "claim";
    case "nudge": return "nudge";
  }
}

/**
 * Asks the permission table, and carries out a claim it calls for: an unowned account becomes the actor's,
 * under the pool's rules when it waits in the pool (the cool-down after letting it go, the claim limit),
 * with a `claimed` event before whatever the actor does next. Returns the account as the action then sees it.
 */
function permit(input: DecideInput, stage: Stage): Result<{ account: AccountState; owner: OwnerInfo | null; claimed: EventDraft | null }> {
  const { playbook, account, actor, action, now } = input;
  const pooled = isPoolStage(playbook, stage);
  const allowed = mayAct(actor, capabilityOf(action), stage, input.owner, pooled);
  if (!allowed.ok) return { ok: false, error: { ...allowed.error, details: { ...allowed.error.details, company: account.company } } };
  if (allowed.value === "allow") return ok({ account, owner: input.owner, claimed: null });
  if (pooled) {
    const facts = input.claim ?? { releases: [], held: 0 };
    const until = cooldownUntil(facts.releases, actor.id, playbook.routing.cooldownDays, now);
    if (until) return err("cooldown", { company: account.company, until: until.toISOString() });
    if (facts.held >= playbook.routing.claimLimit) return err("claim-limit", { count: facts.held, limit: playbook.routing.claimLimit });
  }
  const claimed = draft("claimed", { data: { repId: actor.id, repName: actor.displayName } });
  return ok({ account: { ...account, ownerId: actor.id, lastActivityAt: now }, owner: { id: actor.id, displayName: actor.displayName, teamKey: actor.teamKey }, claimed });
}

/** Appends a claim's event before the action's own, and counts the version once. */
function withClaim(decision: Decision, claimed: EventDraft | null): Decision {
  return claimed ? { ...decision, events: [claimed, ...decision.events] } : decision;
}

/** The pure funnel: given an account and an action, the next state, its events and effects — or why not. */
export function decide(input: DecideInput): Result<Decision> {
  const { playbook, account, action, now } = input;
  const stage = stageOf(playbook, account.stage);
  if (!stage) return err("unknown-stage", { stage: account.stage });
  // A move that does not exist is refused as such whoever asks: "not from this stage" says more than "not you".
  if (action.kind === "move") return move(input, action);
  // A claim is asked of the team the stage hands its accounts to.
  const permitted = permit(input, stage.assignTo && action.kind === "claim" ? { ...stage, teams: [stage.assignTo] } : stage);
  if (!permitted.ok) return permitted;
  const { claimed } = permitted.value;
  const current = permitted.value.account;

  switch (action.kind) {
    case "claim": {
      const next = { ...current, version: account.version + 1 };
      return ok({ next, events: claimed ? [claimed] : [], effects: [{ kind: "notify", audience: { team: stage.teams[0] ?? stage.assignTo! }, notice: "claimed" }], ...none });
    }
    case "amount": {
      if (!stage.renewals) {
        const stages = playbook.stages.filter((s) => s.renewals).map((s) => s.code);
        return err("not-a-customer", { stage: stage.code, stages });
      }
      const event = draft(action.type, { amount: action.amount });
      const next = { ...current, amount: account.amount + action.amount, lastActivityAt: now, version: account.version + 1 };
      return ok(withClaim({ next, events: [event], effects: [], ...none }, claimed));
    }
    case "reassign": {
      if (action.to.active === false) return err("inactive-member", { name: action.to.displayName });
      if (!stage.teams.includes(action.to.teamKey)) {
        return err("forbidden", { team: action.to.teamKey, stage: stage.code, teams: stage.teams });
      }
      const event = draft("reassign", { data: { from: account.ownerId, to: action.to.id } });
      const next = { ...account, ownerId: action.to.id, lastActivityAt: now, version: account.version + 1 };
      return ok({ next, events: [event], effects: [{ kind: "notify", audience: "owner", notice: "reassigned" }], ...none });
    }
    case "nudge": {
      // Someone else must own it; the nudge is a DM to them, so it counts as nobody's activity on the account.
      const owner = input.owner;
      if (!owner || owner.id === input.actor.id) return err("nothing-to-nudge", { company: account.company });
      const event = draft("nudge", { data: { owner: owner.id } });
      return ok({ next: { ...account, version: account.version + 1 }, events: [event], effects: [{ kind: "notify", audience: "owner", notice: "nudged" }], ...none });
    }
    case "next-step": {
      // A next step is in the future, as BANT's target date is: `today` is the business timezone's day.
      if (action.day < input.today) return err("invalid-form", { fields: { date: "date-in-past" } });
      const event = draft("next-step", { reasonText: action.note, data: { day: action.day } });
      const next = { ...current, nextStepAt: action.at, nextStepNote: action.note, lastActivityAt: now, version: account.version + 1 };
      return ok(withClaim({ next, events: [event], effects: [], ...none }, claimed));
    }
  }
}

/**
 * The team a move of this action would hand the account to, so the caller can read that team's routing
 * facts before deciding; null when the action assigns nobody.
 */
export function routingTeam(playbook: Playbook, account: AccountState, action: Action): string | null {
  if (action.kind !== "move") return null;
  const found = findTransition(playbook, account.stage, action.verb, action.to ?? null);
  return found.ok ? (stageOf(playbook, found.value.to)?.assignTo ?? null) : null;
}

function move(input: DecideInput, action: Extract<Action, { kind: "move" }>): Result<Decision> {
  const { playbook, account, actor, now } = input;
  const found = findTransition(playbook, account.stage, action.verb, action.to ?? null);
  if (!found.ok) return alreadyDone(input, action) ?? found;
  const transition = found.value;
  const permitted = permit(input, stageOf(playbook, account.stage)!);
  if (!permitted.ok) return permitted;
  const { claimed, owner } = permitted.value;

  let reasonCode: string | null = null;
  let reasonText: string | null = null;
  if (transition.reasons) {
    const reason = resolveReason(playbook, transition.reasons, action.reason ?? "");
    if (!reason.ok) return reason;
    ({ code: reasonCode, text: reasonText } = reason.value);
  }

  let checklist: Decision["checklist"] = null;
  const stage = stageOf(playbook, account.stage)!;
  if (GATED.has(transition.verb) && stage.checklist.length > 0) {
    const keys = stage.checklist.map((item) => item.key);
    const confirmed = action.confirm === "all" ? keys : (action.confirm ?? []);
    const missing = stage.checklist.filter((item) => !confirmed.includes(item.key));
    const override = action.override?.trim() || null;
    if (missing.length > 0 && override === null) {
      return err("checklist-incomplete", { stage: stage.code, missing, checklist: stage.checklist });
    }
    if (missing.length > 0) {
      const skip = mayAct(actor, "override", stage, owner, false);
      if (!skip.ok) return { ok: false, error: { ...skip.error, details: { ...skip.error.details, stage: stage.code, missing } } };
    }
    checklist = { stage: stage.code, markers: keys.filter((k) => confirmed.includes(k)), override: missing.length > 0 ? override : null };
  }

  let bant: Decision["bant"] = null;
  let budget: ReturnType<typeof budgetEffect> | null = null;
  if (transition.verb === "qualify") {
    const checked = checkBant(action.answers ?? {}, input.today);
    if (!checked.ok) return checked;
    bant = checked.value;
    budget = budgetEffect(account, bant.answers);
    if (!bant.passed) {
      // Failing BANT keeps the stage; the answers and the failure are recorded all the same, and a confirmed
      // budget is a fact about the deal whether or not the lead qualifies yet.
      const event = draft("bant-failed", { fromStage: account.stage, data: { failures: bant.failures } });
      const next = { ...permitted.value.account, amount: budget.amount, currency: budget.currency, lastActivityAt: now, version: account.version + 1 };
      return ok(withClaim({ next, events: [event], effects: [], bant, checklist: null, assigned: null, budget: budget.effect }, claimed));
    }
  }

  const data: Record<string, unknown> = {};
  if (checklist) data.checklist = checklist;
  if (bant) data.bant = bant.answers;
  const event = draft("transition", {
    fromStage: account.stage,
    toStage: transition.to,
    reasonCode,
    reasonText,
    data: Object.keys(data).length > 0 ? data : null,
  });
  const target = stageOf(playbook, transition.to)!;
  const assigned = assignment(input, target, owner);
  // An owner whose team does not act on the new stage (a rep's lead returned to marketing) no longer owns it.
  // An admin who claimed it keeps it wherever it goes: they may act on any stage.
  const keeps = (o: OwnerInfo) => target.teams.includes(o.teamKey) || (o.id === actor.id && actor.role === "admin");
  const ownerId = assigned ? (assigned.member?.id ?? null) : owner && keeps(owner) ? owner.id : null;
  const next: AccountState = {
    ...account,
    ownerId,
    ...(budget ? { amount: budget.amount, currency: budget.currency } : {}),
    stage: transition.to,
    stageEnteredAt: now,
    lastActivityAt: now,
    nextStepAt: null,
    nextStepNote: null,
    version: account.version + 1,
  };
  // Outside the pool, a claim the move itself hands on (a lead handed to sales) leaves nothing to record.
  const kept = claimed && (next.ownerId === actor.id || isPoolStage(playbook, stageOf(playbook, account.stage)!)) ? claimed : null;
  return ok(withClaim({ next, events: [event], effects: effectsOf(playbook, transition), bant, checklist, assigned, budget: budget?.effect ?? null }, kept));
}

/** Whom a move hands the account to: a member of the target's team when its owner is not in it, from the routing facts. */
function assignment(input: DecideInput, target: Stage, owner: OwnerInfo | null): Decision["assigned"] {
  if (!target.assignTo || owner?.teamKey === target.assignTo) return null;
  const facts = input.routing?.team === target.assignTo ? input.routing : null;
  return { team: target.assignTo, member: facts ? chooseRep(input.playbook.routing, facts, input.now) : null };
}

function effectsOf(playbook: Playbook, transition: Transition): Effect[] {
  const target = stageOf(playbook, transition.to)!;
  const effects: Effect[] = [];
  const marketing = playbook.teams[0]!.key;
  // A lead handed (or handed again) to sales reaches its rep as a card with the moves out of its new stage.
  if (transition.verb === "handoff" || (transition.verb === "recycle" && target.assignTo)) {
    effects.push({ kind: "notify", audience: "owner", notice: "mql-assigned" });
  }
  if (transition.verb === "return") effects.push({ kind: "notify", audience: { team: marketing }, notice: "returned" });
  if (transition.verb === "disqualify") effects.push({ kind: "notify", audience: { team: marketing }, notice: "disqualified" });
  if (transition.verb === "churn") effects.push({ kind: "notify", audience: { team: target.teams[0]! }, notice: "churned" });
  if (transition.verb === "winback") effects.push({ kind: "notify", audience: "owner", notice: "won-back" });
  for (const automation of playbook.automations) {
    if (automation.kind === "message-on-enter" && automation.stage === target.code) {
      effects.push({ kind: "message", audience: automation.to === "owner" ? "owner" : { team: target.teams[0]! }, text: automation.text });
    }
  }
  return effects;
}

/** The transition out of `from` for this verb (and target, when named), or a refusal naming the allowed moves. */
export function findTransition(playbook: Playbook, from: string, verb: Verb, to: string | null): Result<Transition> {
  const out = transitionsFrom(playbook, from);
  const allowed = out.map((t) => ({ verb: t.verb, to: t.to }));
  if (to !== null && !stageOf(playbook, to)) return err("unknown-stage", { stage: to, stages: playbook.stages.map((s) => s.code) });
  const candidates = out.filter((t) => (verb === "advance" && to !== null ? true : t.verb === verb) && (to === null || t.to === to));
  // `advance` to a named stage may take any move that needs no reason or form of its own.
  const usable = candidates.filter((t) => !(verb === "advance" && to !== null && t.verb !== "advance" && (t.reasons || t.verb === "qualify")));
  if (usable.length === 1) return ok(usable[0]!);
  if (candidates.length === 1) return err("illegal-transition", { from, to, verb, allowed, needs: candidates[0]!.verb });
  return err("illegal-transition", { from, to, verb, allowed });
}

/** A refused move that someone else just made is "already done by X at T", not "illegal". */
function alreadyDone(input: DecideInput, action: Extract<Action, { kind: "move" }>): Result<Decision> | null {
  const last = input.lastTransition;
  if (!last || last.toStage !== input.account.stage || last.fromStage === null) return null;
  const same = findTransition(input.playbook, last.fromStage, action.verb, action.to ?? null);
  if (!same.ok || same.value.to !== last.toStage) return null;
  return err("already-done", { by: last.actorName, at: last.at, stage: last.toStage, verb: action.verb });
}

function draft(kind: EventDraft["kind"], fields: Partial<EventDraft>): EventDraft {
  return { kind, fromStage: null, toStage: null, reasonCode: null, reasonText: null, amount: null, data: null, ...fields };
}

// The order in which verbs count as "forward" when tracing a playbook's main path.
const FORWARD: readonly Verb[] = ["handoff", "accept", "qualify", "validate", "validate-pass", "sign", "advance"];

/** The forward move out of a stage on the playbook's main path (hand-off, accept, qualify … advance), if any. */
export function forwardMove(playbook: Playbook, from: string): Transition | null {
  const out = transitionsFrom(playbook, from);
  for (const verb of FORWARD) {
    const found = out.find((t) => t.verb === verb);
    if (found) return found;
  }
  return null;
}

/** The main path from the initial stage: each forward move in turn until none is left. */
export function mainPath(playbook: Playbook): Transition[] {
  const path: Transition[] = [];
  const seen = new Set<string>([playbook.initialStage]);
  for (let move = forwardMove(playbook, playbook.initialStage); move && !seen.has(move.to); move = forwardMove(playbook, move.to)) {
    path.push(move);
    seen.add(move.to);
  }
  return path;
}

/** Everything an escalation step of an unaccepted assignment needs. */
export interface EscalateInput {
  readonly playbook: Playbook;
  readonly stage: Stage;
  readonly account: AccountState;
  readonly owner: OwnerInfo;
  /** 1 reminds the owner, 2 tells their managers (named in `managers`), 3 takes the account back. */
  readonly level: 1 | 2 | 3;
  readonly managers: readonly string[];
  /** The team the stage hands accounts to, for a release to the next rep. */
  readonly routing: RoutingFacts | null;
  readonly now: Date;
}

/**
 * One escalation step, decided like any move: a reminder event (levels 1 and 2), or a release (level 3) that
 * gives the account to the next rep in the rotation — never the one who let it go, nor anyone cooling down —
 * or, with `routing.release: pool` or nobody free, to the pool.
 */
export function escalate(input: EscalateInput): Decision {
  const { playbook, stage, account, owner, level, now } = input;
  const base = { level, stageEnteredAt: account.stageEnteredAt.toISOString(), repId: owner.id, repName: owner.displayName };
  if (level < 3) {
    const data = level === 2 ? { ...base, managers: input.managers } : base;
    return { next: { ...account, version: account.version + 1 }, events: [draft("reminder", { data })], effects: [], ...none };
  }
  const facts = input.routing?.team === stage.assignTo ? input.routing : null;
  const chosen = playbook.routing.release === "pool" || !facts ? null : chooseRep(playbook.routing, facts, now, [owner.id]);
  const data = { ...base, ownerId: chosen?.id ?? null, ownerName: chosen?.displayName ?? null };
  return {
    next: { ...account, ownerId: chosen?.id ?? null, version: account.version + 1 },
    events: [draft("released", { data })],
    effects: [],
    bant: null,
    checklist: null,
    assigned: stage.assignTo ? { team: stage.assignTo, member: chosen } : null,
  };
}

/** Where a leaving member's work goes: a named member, or their team's round robin (read as routing facts). */
export type Successor =
  | { readonly kind: "member"; readonly member: Candidate & { readonly active?: boolean } }
  | { readonly kind: "team"; readonly routing: RoutingFacts };

/** Everything a hand-over of one account (or of the leaving member's tasks on it) needs. */
export interface TransferInput {
  readonly playbook: Playbook;
  readonly account: AccountState;
  /** The member who leaves. */
  readonly leaving: OwnerInfo;
  readonly to: Successor;
  /** The leaving member's open tasks on this account: they go with it. */
  readonly tasks: readonly number[];
  readonly now: Date;
}

/** A hand-over: the account's decision, plus the tasks that change assignee. */
export interface TransferDecision extends Decision {
  readonly tasks: { readonly ids: readonly number[]; readonly from: number; readonly to: number } | null;
}

/**
 * Hands a leaving member's account (when they own it) and their open tasks on it to a successor, as one
 * `transferred` event: a named member who is still active, or the next rep of the team's round robin (never
 * the one leaving, nor anyone away or cooling down on this account). Refused when nobody can take it, or the
 * successor's team does not work the account's stage, so nothing is ever left without an owner.
 */
export function transfer(input: TransferInput): Result<TransferDecision> {
  const { playbook, account, leaving, to, tasks, now } = input;
  const owned = account.ownerId === leaving.id;
  if (!owned && tasks.length === 0) return err("already-done", { by: null, at: null, stage: account.stage });
  const stage = stageOf(playbook, account.stage);
  if (!stage) return err("unknown-stage", { stage: account.stage });
  const refused = { company: account.company, id: account.id, name: leaving.displayName };
  let successor: Candidate | null;
  if (to.kind === "member") {
    if (to.member.active === false) return err("inactive-member", { name: to.member.displayName });
    successor = to.member.id === leaving.id ? null : to.member;
  } else {
    successor = chooseRep(playbook.routing, to.routing, now, [leaving.id]);
  }
  if (!successor) return err("no-successor", refused);
  // Admins act on every stage; anyone else takes over only accounts their team works.
  if (owned && successor.role !== "admin" && !stage.teams.includes(successor.teamKey)) {
    return err("no-successor", { ...refused, team: successor.teamKey, teams: stage.teams });
  }
  const data = { repId: leaving.id, repName: leaving.displayName, ownerId: successor.id, ownerName: successor.displayName, ...(tasks.length > 0 ? { tasks } : {}) };
  return ok({
    next: { ...account, ownerId: owned ? successor.id : account.ownerId, version: account.version + 1 },
    events: [draft("transferred", { data })],
    effects: [],
    bant: null,
    checklist: null,
    assigned: owned && to.kind === "team" ? { team: to.routing.team, member: successor } : null,
    tasks: tasks.length > 0 ? { ids: tasks, from: leaving.id, to: successor.id } : null,
  });
}
