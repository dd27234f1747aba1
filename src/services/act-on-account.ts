import { createHash } from "node:crypto";
import type { AccountRef } from "../commands/command.js";
import type { CardOutcome, OutgoingMessage } from "../commands/reply.js";
import { renderNotice, renderOutcome } from "../commands/render-notice.js";
import type { AccountState, Actor, EventKind } from "../domain/account.js";
import { ok, type Result } from "../domain/errors.js";
import type { Action, BudgetEffect, Decision } from "../domain/funnel.js";
import type { Verb } from "../domain/playbook.js";
import { saveChange, senderFacts, type AccountWithOwner } from "../store/accounts.js";
import { findMember, type Identity } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { accountFacts, startOf, startOnAccount, type AccountFacts, type AccountStart } from "./resolve-account.js";
import { decideAndSave, loadAndDecide, raced } from "./save-decision.js";

/** What an accepted action did, in plain data so a repeated delivery can be answered from storage. */
export interface ActOutcome {
  readonly accountId: number;
  readonly company: string;
  readonly event: EventKind;
  readonly fromStage: string;
  readonly toStage: string;
  readonly ownerName: string | null;
  readonly at: string;
  readonly amount: number;
  readonly bantFailures: readonly string[] | null;
  readonly nextStep: { readonly day: string; readonly note: string } | null;
  /** The move's verb (`qualify`, `advance` …), null for other actions. */
  readonly verb: Verb | null;
  /** What a BANT budget did to the amount (qualify only). */
  readonly budget: BudgetEffect | null;
}

/**
 * Runs one action on one account: load what the decision needs, decide (pure: permissions, claims, routing
 * included), render notices, and save the state, its events and its messages in one versioned transaction
 * through the one save loop. A repeated idempotency key of the same member returns the first outcome,
 * writing nothing; the key is the member's own, so nobody reads another's stored answer through it.
 */
export async function actOnAccount(
  ctx: ServiceContext,
  actor: Actor,
  ref: AccountRef | number,
  action: Action,
  meta: RequestMeta,
): Promise<Result<ActOutcome>> {
  const key = meta.key ? memberKey(meta.key, actor, action) : null;
  const named: AccountRef = typeof ref === "number" ? { kind: "id", id: ref } : ref;
  // The repeated request's answer, or the account's facts: one statement for an account named by id, and
  // none at all when the statement that read who sent the request read them too (for this account and key).
  const opened = meta.opened;
  const start = opened && named.kind === "id" && opened.accountId === named.id && opened.key === key ? opened.start : await startOnAccount(ctx, named, key);
  if (start.repeat) return ok(start.first as ActOutcome);
  let unused: Result<AccountFacts> | null = start.facts;
  let id = 0;
  return decideAndSave<ActOutcome>(async () => {
    // The first attempt decides on what was read above; one after a lost race reads the account afresh.
    const read = unused ?? (await accountFacts(ctx, id));
    unused = null;
    if (!read.ok) return read;
    const { loaded } = read.value;
    const { account } = loaded;
    id = account.id;
    const decided = await loadAndDecide(ctx, actor, read.value, action);
    if (!decided.ok) return decided;
    const decision = decided.value;
    const now = ctx.clock();
    const owner = await ownerAfter(ctx, decision, loaded, actor);
    const outcome = outcomeOf(decision, account, owner?.displayName ?? null, now, action);
    const messages = await messagesFor(ctx, decision, owner, actor, loaded);
    return ok({
      result: outcome,
      save: () => saveChange(ctx.db, {
        accountId: account.id, expectedVersion: account.version, next: decision.next, events: decision.events,
        actorId: actor.bot ? null : actor.id, platform: meta.platform, at: now, bant: decision.bant, checklist: decision.checklist,
        messages, roundRobin: decision.assigned?.member ? { teamKey: decision.assigned.team, memberId: decision.assigned.member.id } : null,
        idempotency: key ? { key, result: outcome } : null, previousEnteredAt: account.stageEnteredAt,
      }),
    });
  }, raced);
}

/**
 * A platform's delivery key bound to the member who sent it and to what they asked: a stored answer is only
 * ever given back to the same member for the same request, never to someone replaying another's key.
 */
export function memberKey(key: string, actor: Actor, request: unknown): string {
  return keyOf(memberKeyParts(key, request), actor);
}

function keyOf(parts: { before: string; after: string }, actor: Actor): string {
  return `${parts.before}${actor.bot ? "bot" : actor.id}${parts.after}`;
}

/** {@link memberKey} around the member's id, for a statement that reads the member and their key at once. */
function memberKeyParts(key: string, request: unknown): { before: string; after: string } {
  // Unset and null fields are the same request, however a surface spelled it.
  const canonical = JSON.stringify(request, (_key, value: unknown) => (value === null ? undefined : value));
  const digest = createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
  return { before: `${key}:m`, after: `:${digest}` };
}

/** Who sent a change to an account, read with how the change starts: see {@link openChange}. */
export interface OpenedChange {
  readonly accountId: number;
  /** The change it was read for (a reassign's carries the member it names, read before). */
  readonly action: Action;
  /** The sender's delivery key for this change ({@link memberKey}); null without a platform key. */
  readonly key: string | null;
  readonly start: AccountStart;
}

/**
 * The member behind a platform identity, read in the one statement that starts a change to an account named
 * by id (its delivery key's answer, the account, its owner, its last transition): a command from a platform
 * makes no round trip of its own to learn who sent it. Null for nobody or someone who left, who is then
 * answered as a stranger; nothing is written here. Handing `opened` to {@link actOnAccount} (in the request's
 * meta) spares it reading the same again; everything else, permissions included, is decided as for any actor.
 */
export async function openChange(
  ctx: ServiceContext, identity: Identity, accountId: number, action: Action, key: string | null,
): Promise<{ readonly actor: Actor; readonly opened: OpenedChange } | { readonly actor: null }> {
  const parts = key ? memberKeyParts(key, action) : null;
  const read = await senderFacts(ctx.db, identity, accountId, parts);
  const actor = read.sender;
  if (!actor) return { actor: null };
  return { actor, opened: { accountId, action, key: parts ? keyOf(parts, actor) : null, start: startOf(read, { kind: "id", id: accountId }) } };
}

type OwnerFacts = { readonly id: number; readonly displayName: string; readonly locale: string; readonly teamKey: string };

/** The account's owner after the decision, with what messages need (name, language). */
async function ownerAfter(ctx: ServiceContext, decision: Decision, before: AccountWithOwner, actor: Actor): Promise<OwnerFacts | null> {
  const id = decision.next.ownerId;
  if (id === null) return null;
  if (decision.assigned?.member?.id === id) return decision.assigned.member;
  if (before.owner?.id === id) return before.owner;
  if (actor.id === id) return actor;
  return findMember(ctx.db, { id });
}

/** The bot itself, acting on its own (a lead scored over the MQL threshold): it never owns what it moves. */
export function systemActor(ctx: ServiceContext): Actor {
  return { id: 0, handle: "funnelbot", displayName: "funnelbot", teamKey: ctx.playbook.teams[0]!.key, role: "admin", locale: "en", away: false, bot: true };
}

async function messagesFor(
  ctx: ServiceContext,
  decision: Decision,
  owner: OwnerFacts | null,
  actor: Actor,
  before: AccountWithOwner,
): Promise<OutgoingMessage[]> {
  const { next } = decision;
  const messages: OutgoingMessage[] = [];
  const transition = decision.events.find((e) => e.kind === "transition");
  const reason = transition?.reasonCode ? { code: transition.reasonCode, text: transition.reasonText } : null;
  if (transition) {
    // Cards posted for the account so far (the MQL card, say) are updated in place: the outcome, no buttons.
    // Queued before any new card, so the update never reaches a card posted by this very move.
    const outcome: CardOutcome = {
      accountId: next.id, company: next.company, fromStage: before.account.stage, toStage: next.stage, actorName: actor.displayName,
      at: ctx.clock().toISOString(), reason: transition.reasonCode || transition.reasonText ? { code: transition.reasonCode, text: transition.reasonText } : null,
    };
    messages.push({ to: { kind: "cards", accountId: next.id }, reply: renderOutcome(ctx.playbook, outcome, ctx.calendar.timezone, "en"), outcome });
  }
  const facts = { playbook: ctx.playbook, account: next, actorName: actor.displayName, reason, ownerName: owner?.displayName ?? null };
  const ownerLocale = owner?.locale === "zh-CN" ? "zh-CN" : "en";
  const homeTeam = ctx.playbook.stages.find((s) => s.code === next.stage)?.teams[0] ?? null;
  const toTeam = async (teamKey: string) => (await findTeam(ctx.db, teamKey))?.locale ?? "en";
  for (const effect of decision.effects) {
    const audience = effect.audience;
    const reply =
      effect.kind === "notify"
        ? (locale: "en" | "zh-CN", toOwner = false) => renderNotice(effect.notice, { ...facts, toOwner }, locale)
        : (locale: "en" | "zh-CN") => {
            const text = locale === "zh-CN" ? effect.text.zh : effect.text.en;
            return { text: `${next.company} (#${next.id}): ${text}`, ephemeral: false, blocks: [{ kind: "text" as const, text: `${next.company} (#${next.id}): ${text}` }] };
          };
    const card = effect.kind === "notify" ? { accountId: next.id, kind: effect.notice } : undefined;
    if (audience === "owner") {
      // The new owner hears of a move directly unless they made it themselves; a playbook message (the P2
      // guide) is content to act on, so the owner gets it in any case, and so does the stage's team channel.
      const automation = effect.kind === "message";
      if (owner && (automation || owner.id !== actor.id)) messages.push({ to: { kind: "member", memberId: owner.id }, reply: reply(ownerLocale, true), ...(card ? { card } : {}) });
      const channel = !owner || automation || (effect.kind === "notify" && effect.notice === "mql-assigned") ? homeTeam : null;
      if (channel) messages.push({ to: { kind: "team", teamKey: channel }, reply: reply(await toTeam(channel)), ...(card ? { card } : {}) });
    } else {
      messages.push({ to: { kind: "team", teamKey: audience.team }, reply: reply(await toTeam(audience.team)), ...(card ? { card } : {}) });
    }
  }
  return messages;
}

function outcomeOf(decision: Decision, before: AccountState, ownerName: string | null, now: Date, action: Action): ActOutcome {
  const { next } = decision;
  // A claim made on the way to another action is not the action's outcome.
  const main = decision.events.find((e) => e.kind !== "claimed") ?? decision.events[0]!;
  return {
    accountId: before.id,
    company: before.company,
    event: main.kind,
    fromStage: before.stage,
    toStage: next.stage,
    ownerName,
    at: now.toISOString(),
    amount: next.amount,
    bantFailures: decision.bant && !decision.bant.passed ? decision.bant.failures : null,
    nextStep: action.kind === "next-step" ? { day: action.day, note: action.note } : null,
    verb: action.kind === "move" ? action.verb : null,
    budget: decision.budget ?? null,
  };
}
