import type { AccountRef } from "../commands/command.js";
import { describeOutcome } from "../commands/describe-outcome.js";
import { reasonForm, reasonTitle } from "../commands/render-notice.js";
import { bantForm, checklistForm, nextStepForm, refusedChecklist, renderError } from "../commands/render-reply.js";
import type { Locale, Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { fail, type DomainError } from "../domain/errors.js";
import type { Action } from "../domain/funnel.js";
import { stageOf, type Label, type Verb } from "../domain/playbook.js";
import { askerOf, permission, stageRelation } from "../domain/permissions.js";
import { actOnAccount } from "./act-on-account.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { resolveAccount } from "./resolve-account.js";

/**
 * Runs one action on an account and answers the person who acted: what happened, or why not. A refused BANT
 * comes back as the form with its answers and each field's problem, so nothing typed is lost.
 */
export async function moveAccount(ctx: ServiceContext, actor: Actor, ref: AccountRef, action: Action, meta: RequestMeta): Promise<Reply> {
  return (await attempt(ctx, actor, ref, action, meta)).reply;
}

/** {@link moveAccount}'s answer, and the refusal it was rendered from, for callers that word it for a form. */
async function attempt(ctx: ServiceContext, actor: Actor, ref: AccountRef, action: Action, meta: RequestMeta): Promise<{ reply: Reply; error: DomainError | null }> {
  const reply = (r: Reply, error: DomainError | null = null) => ({ reply: r, error });
  const locale = actor.locale;
  const done = await actOnAccount(ctx, actor, ref, action, meta);
  if (done.ok) return reply(describeOutcome(ctx.playbook, done.value, locale));
  const found = await resolveAccount(ctx, ref);
  const refusal = renderError(done.error, locale, ctx.playbook, found.ok ? found.value.account.company : "");
  if (done.error.code === "invalid-form" && found.ok && action.kind === "move" && action.verb === "qualify") {
    const form = bantForm(found.value.account, locale, { ...action.answers }, done.error.details.fields as Record<string, never>);
    return reply({ ...refusal, blocks: [...refusal.blocks, { kind: "form", form }] }, done.error);
  }
  if (done.error.code === "invalid-form" && found.ok && action.kind === "next-step") {
    const form = nextStepForm(found.value.account, locale, { date: action.day, note: action.note }, done.error.details.fields as Record<string, never>);
    return reply({ ...refusal, blocks: [...refusal.blocks, { kind: "form", form }] }, done.error);
  }
  return reply(refusal, done.error);
}

/** A gated move (hand-off, advance): asked without confirmations, the answer carries the checklist to tick. */
export async function gatedMove(
  ctx: ServiceContext, actor: Actor, verb: "lead.handoff" | "account.advance", ref: AccountRef,
  move: { to: string | null; confirm: readonly string[] | "all" | null; override: string | null }, meta: RequestMeta,
): Promise<Reply> {
  const { reply, error } = await attempt(ctx, actor, ref, gatedAction(verb, move), meta);
  if (error?.code !== "checklist-incomplete" || (!meta.form && (move.confirm !== null || move.override !== null))) return reply;
  const found = await resolveAccount(ctx, ref);
  const form = found.ok ? checklistForm(ctx.playbook, found.value.account, verb, move.to, actor.locale) : null;
  if (!found.ok || !form) return reply;
  // Asked without confirmations: the checklist to tick. Submitted from that form: the refusal in the form's own words.
  if (!meta.form) return { ...reply, blocks: [...reply.blocks, { kind: "form", form }] };
  const stage = stageOf(ctx.playbook, String(error.details.stage))!;
  const canOverride = permission("override", askerOf(actor), stageRelation(actor, stage), "own") === "allow";
  const ticked = Array.isArray(move.confirm) ? move.confirm : [];
  return refusedChecklist(ctx.playbook, form, stage.code, (error.details.missing as { label: Label }[]) ?? [], ticked, canOverride, actor.locale);
}

/** The action a gated move runs: built in one place, since a change's delivery key is made from it. */
export function gatedAction(verb: "lead.handoff" | "account.advance", move: { to: string | null; confirm: readonly string[] | "all" | null; override: string | null }): Action {
  return { kind: "move", verb: verb === "lead.handoff" ? "handoff" : "advance", to: move.to, confirm: move.confirm, override: move.override };
}

/** A move that needs a reason, asked without one (a card's button): the reason form, with the playbook's list. */
export async function reasonPrompt(ctx: ServiceContext, ref: AccountRef, verb: Verb, commandVerb: string, locale: Locale): Promise<Reply> {
  const found = await resolveAccount(ctx, ref);
  if (!found.ok) return renderError(found.error, locale, ctx.playbook);
  const { account } = found.value;
  const transition = ctx.playbook.transitions.find((x) => x.from === account.stage && x.verb === verb);
  if (!transition?.reasons) return renderError(fail("reason-required", { reasons: [] }), locale, ctx.playbook);
  const line = `${commandVerb.replace(".", " ")} #${account.id}`;
  const form = reasonForm(ctx.playbook, transition.reasons, line, reasonTitle(transition.verb, account.company, locale), locale);
  const error = renderError(fail("reason-required", { reasons: ctx.playbook.reasons[transition.reasons] }), locale, ctx.playbook);
  return { ...error, blocks: [...error.blocks, { kind: "form", form }] };
}
