import type { AccountRef } from "../commands/command.js";
import type { CardOutcome, OutgoingMessage } from "../commands/reply.js";
import { renderNotice, renderOutcome } from "../commands/render-notice.js";
import type { AccountState, Actor, EventKind } from "../domain/account.js";
import { localDay } from "../domain/calendar.js";
import { err, ok, type Result } from "../domain/errors.js";
import { decide, type Action, type Decision } from "../domain/funnel.js";
import { cooldownUntil, pickRoundRobin, routeCandidates } from "../domain/routing.js";
import { findDelivery, lastTransition, saveChange, type AccountWithOwner } from "../store/accounts.js";
import { findLead, releasesOf } from "../store/leads.js";
import { findMember, listMembers, type MemberRecord } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { resolveAccount } from "./resolve-account.js";

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
}

const MAX_ATTEMPTS = 5;

/**
 * Runs one action on one account: load, decide (pure), resolve assignments, render notices, and save the
 * state, its events and its messages in one versioned transaction. A lost race decides again on fresh
 * state, so the loser learns who won; a repeated idempotency key returns the first outcome, writing nothing.
 */
export async function actOnAccount(
  ctx: ServiceContext,
  actor: Actor,
  ref: AccountRef | number,
  action: Action,
  meta: RequestMeta,
): Promise<Result<ActOutcome>> {
  if (meta.key) {
    const first = await findDelivery(ctx.db, meta.key);
    if (first !== undefined) return ok(first as ActOutcome);
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const loaded = await resolveAccount(ctx, typeof ref === "number" ? { kind: "id", id: ref } : ref);
    if (!loaded.ok) return loaded;
    const { account, owner } = loaded.value;
    const now = ctx.clock();
    const decided = decide({
      playbook: ctx.playbook, account, owner, actor, action, now,
      today: localDay(now, ctx.calendar.timezone),
      lastTransition: await lastTransition(ctx.db, account.id),
    });
    if (!decided.ok) return decided;
    const assigned = await assign(ctx, decided.value, loaded.value);
    const outcome = outcomeOf(decided.value, account, assigned.next, assigned.ownerName, now, action);
    const saved = await saveChange(ctx.db, {
      accountId: account.id,
      expectedVersion: account.version,
      next: assigned.next,
      events: decided.value.events,
      actorId: actor.id === SYSTEM_ID ? null : actor.id,
      platform: meta.platform,
      at: now,
      bant: decided.value.bant,
      checklist: decided.value.checklist,
      messages: await messagesFor(ctx, decided.value, assigned.next, actor, loaded.value),
      roundRobin: assigned.roundRobin,
      idempotency: meta.key ? { key: meta.key, result: outcome } : null,
      previousEnteredAt: account.stageEnteredAt,
    });
    if (saved.kind === "saved") return ok(outcome);
    if (saved.kind === "duplicate") return ok(saved.result as ActOutcome);
  }
  return err("already-done", { by: null, at: null, stage: null });
}

interface Assignment {
  readonly next: AccountState;
  readonly ownerName: string | null;
  readonly roundRobin: { teamKey: string; memberId: number } | null;
}

async function assign(ctx: ServiceContext, decision: Decision, before: AccountWithOwner): Promise<Assignment> {
  const effect = decision.effects.find((e) => e.kind === "assign");
  if (!effect || effect.kind !== "assign") {
    const owner = decision.next.ownerId === before.owner?.id ? before.owner : decision.next.ownerId ? await findMember(ctx.db, { id: decision.next.ownerId }) : null;
    return { next: decision.next, ownerName: owner?.displayName ?? null, roundRobin: null };
  }
  const chosen = await nextRep(ctx, effect.team, [], before.account.id);
  return {
    // Nobody available: the account waits in the team's pool, unowned, and the team channel hears of it.
    next: { ...decision.next, ownerId: chosen?.id ?? null },
    ownerName: chosen?.displayName ?? null,
    roundRobin: chosen ? { teamKey: effect.team, memberId: chosen.id } : null,
  };
}

/**
 * The rep of a team whose turn it is, or null when nobody is available: the playbook's routing rules
 * narrow the team to the reps for the account's region, industry or size, then round robin picks,
 * skipping those away, those in `exclude` and those still cooling down after letting this account go.
 * Whoever saves the assignment moves the team's cursor to them (`roundRobin`).
 */
export async function nextRep(ctx: ServiceContext, teamKey: string, exclude: readonly number[] = [], accountId: number | null = null): Promise<MemberRecord | null> {
  const { routing } = ctx.playbook;
  const team = await findTeam(ctx.db, teamKey);
  const now = ctx.clock();
  const releases = accountId === null ? [] : await releasesOf(ctx.db, accountId);
  const reps = (await listMembers(ctx.db, teamKey)).filter(
    (m) => m.role === "rep" && !exclude.includes(m.id) && cooldownUntil(releases, m.id, routing.cooldownDays, now) === null,
  );
  const lead = accountId !== null && routing.rules.length > 0 ? await findLead(ctx.db, accountId) : null;
  return pickRoundRobin(lead ? routeCandidates(routing.rules, lead, reps) : reps, team?.lastAssignedId ?? null);
}

/** The bot itself, acting on its own (a lead scored over the MQL threshold): an admin with no member row. */
export function systemActor(ctx: ServiceContext): Actor {
  return { id: SYSTEM_ID, handle: "funnelbot", displayName: "funnelbot", teamKey: ctx.playbook.teams[0]!.key, role: "admin", locale: "en", away: false };
}

const SYSTEM_ID = 0;

async function messagesFor(
  ctx: ServiceContext,
  decision: Decision,
  next: AccountState,
  actor: Actor,
  before: AccountWithOwner,
): Promise<OutgoingMessage[]> {
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
  const owner = next.ownerId === null ? null : next.ownerId === before.owner?.id ? before.owner : await findMember(ctx.db, { id: next.ownerId });
  const facts = { playbook: ctx.playbook, account: next, actorName: actor.displayName, reason, ownerName: owner?.displayName ?? null };
  const ownerLocale = owner?.locale === "zh-CN" ? "zh-CN" : "en";
  const homeTeam = ctx.playbook.stages.find((s) => s.code === next.stage)?.teams[0] ?? null;
  const toTeam = async (teamKey: string) => (await findTeam(ctx.db, teamKey))?.locale ?? "en";
  for (const effect of decision.effects) {
    if (effect.kind === "assign") continue;
    const audience = effect.audience;
    const reply =
      effect.kind === "notify"
        ? (locale: "en" | "zh-CN") => renderNotice(effect.notice, facts, locale)
        : (locale: "en" | "zh-CN") => {
            const text = locale === "zh-CN" ? effect.text.zh : effect.text.en;
            return { text: `${next.company} (#${next.id}): ${text}`, ephemeral: false, blocks: [{ kind: "text" as const, text: `${next.company} (#${next.id}): ${text}` }] };
          };
    const card = effect.kind === "notify" ? { accountId: next.id, kind: effect.notice } : undefined;
    if (audience === "owner") {
      // The new owner hears of a move directly unless they made it themselves; a playbook message (the P2
      // guide) is content to act on, so the owner gets it in any case, and so does the stage's team channel.
      const automation = effect.kind === "message";
      if (owner && (automation || owner.id !== actor.id)) messages.push({ to: { kind: "member", memberId: owner.id }, reply: reply(ownerLocale), ...(card ? { card } : {}) });
      const channel = !owner || automation || (effect.kind === "notify" && effect.notice === "mql-assigned") ? homeTeam : null;
      if (channel) messages.push({ to: { kind: "team", teamKey: channel }, reply: reply(await toTeam(channel)), ...(card ? { card } : {}) });
    } else {
      messages.push({ to: { kind: "team", teamKey: audience.team }, reply: reply(await toTeam(audience.team)), ...(card ? { card } : {}) });
    }
  }
  return messages;
}

function outcomeOf(decision: Decision, before: AccountState, next: AccountState, ownerName: string | null, now: Date, action: Action): ActOutcome {
  const main = decision.events[0]!;
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
  };
}
