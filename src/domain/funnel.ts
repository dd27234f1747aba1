import type { AccountState, Actor, EventDraft, StageEventRecord } from "./account.js";
import { checkBant, type BantAnswers, type BantField } from "./bant.js";
import { err, ok, type Result } from "./errors.js";
import { isManager, mayAct, type OwnerInfo } from "./permissions.js";
import { stageOf, transitionsFrom, type Label, type Playbook, type Transition, type Verb } from "./playbook.js";
import { resolveReason } from "./reasons.js";

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
  | { readonly kind: "reassign"; readonly to: OwnerInfo & { readonly role: string } }
  | { readonly kind: "next-step"; readonly day: string; readonly at: Date; readonly note: string };

/** Work the caller must carry out after saving: nothing here runs anything. */
export type Effect =
  /** Give the account to a member of this team (round robin or routing rules). */
  | { readonly kind: "assign"; readonly team: string }
  /** Tell people about what happened (the MQL card to the new owner, a return to marketing …). */
  | { readonly kind: "notify"; readonly audience: "owner" | { readonly team: string }; readonly notice: Notice }
  /** A playbook automation's message, in both languages. */
  | { readonly kind: "message"; readonly audience: "owner" | { readonly team: string }; readonly text: Label };

/** What a notification is about; renderers turn it into a card. */
export type Notice = "mql-assigned" | "returned" | "disqualified" | "lost" | "churned" | "won-back" | "reassigned";

/** The accepted outcome of an action. */
export interface Decision {
  readonly next: AccountState;
  readonly events: readonly EventDraft[];
  readonly effects: readonly Effect[];
  /** The BANT answers to keep, whether they passed or not. */
  readonly bant: { readonly answers: BantAnswers; readonly passed: boolean; readonly failures: BantField[] } | null;
  /** Checklist markers confirmed or skipped on the way out of the old stage. */
  readonly checklist: { readonly stage: string; readonly markers: readonly string[]; readonly override: string | null } | null;
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
}

// Verbs that leave a stage on its main path, so the stage's checklist must be confirmed first.
const GATED: ReadonlySet<Verb> = new Set(["handoff", "advance", "sign", "validate", "validate-pass"]);

const none = { bant: null, checklist: null } as const;

/** The pure funnel: given an account and an action, the next state, its events and effects — or why not. */
export function decide(input: DecideInput): Result<Decision> {
  const { playbook, account, actor, action, now } = input;
  const stage = stageOf(playbook, account.stage);
  if (!stage) return err("unknown-stage", { stage: account.stage });
  // A move that does not exist is refused as such whoever asks: "not from this stage" says more than "not you".
  if (action.kind === "move") return move(input, action);
  const allowed = mayAct(actor, stage, input.owner);
  if (!allowed.ok) return allowed;

  switch (action.kind) {
    case "amount": {
      if (!stage.renewals) {
        const stages = playbook.stages.filter((s) => s.renewals).map((s) => s.code);
        return err("not-a-customer", { stage: stage.code, stages });
      }
      const event = draft(action.type, { amount: action.amount });
      const next = { ...account, amount: account.amount + action.amount, lastActivityAt: now, version: account.version + 1 };
      return ok({ next, events: [event], effects: [], ...none });
    }
    case "reassign": {
      if (!isManager(actor)) return err("forbidden", { needs: "manager" });
      if (!stage.teams.includes(action.to.teamKey)) {
        return err("forbidden", { team: action.to.teamKey, stage: stage.code, teams: stage.teams });
      }
      const event = draft("reassign", { data: { from: account.ownerId, to: action.to.id } });
      const next = { ...account, ownerId: action.to.id, lastActivityAt: now, version: account.version + 1 };
      return ok({ next, events: [event], effects: [{ kind: "notify", audience: "owner", notice: "reassigned" }], ...none });
    }
    case "next-step": {
      const event = draft("next-step", { reasonText: action.note, data: { day: action.day } });
      const next = { ...account, nextStepAt: action.at, nextStepNote: action.note, lastActivityAt: now, version: account.version + 1 };
      return ok({ next, events: [event], effects: [], ...none });
    }
  }
}

function move(input: DecideInput, action: Extract<Action, { kind: "move" }>): Result<Decision> {
  const { playbook, account, actor, now } = input;
  const found = findTransition(playbook, account.stage, action.verb, action.to ?? null);
  if (!found.ok) return alreadyDone(input, action) ?? found;
  const transition = found.value;
  const allowed = mayAct(actor, stageOf(playbook, account.stage)!, input.owner);
  if (!allowed.ok) return allowed;

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
    if (missing.length > 0 && !isManager(actor)) return err("override-not-manager", { stage: stage.code, missing });
    checklist = { stage: stage.code, markers: keys.filter((k) => confirmed.includes(k)), override: missing.length > 0 ? override : null };
  }

  let bant: Decision["bant"] = null;
  if (transition.verb === "qualify") {
    const checked = checkBant(action.answers ?? {}, input.today);
    if (!checked.ok) return checked;
    bant = checked.value;
    if (!bant.passed) {
      // Failing BANT keeps the stage; the answers and the failure are recorded all the same.
      const event = draft("bant-failed", { fromStage: account.stage, data: { failures: bant.failures } });
      const next = { ...account, lastActivityAt: now, version: account.version + 1 };
      return ok({ next, events: [event], effects: [], bant, checklist: null });
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
  const next: AccountState = {
    ...account,
    stage: transition.to,
    stageEnteredAt: now,
    lastActivityAt: now,
    nextStepAt: null,
    nextStepNote: null,
    version: account.version + 1,
  };
  return ok({ next, events: [event], effects: effectsOf(playbook, transition, input.owner), bant, checklist });
}

function effectsOf(playbook: Playbook, transition: Transition, owner: OwnerInfo | null): Effect[] {
  const target = stageOf(playbook, transition.to)!;
  const effects: Effect[] = [];
  if (target.assignTo && owner?.teamKey !== target.assignTo) effects.push({ kind: "assign", team: target.assignTo });
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
