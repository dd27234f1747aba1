import type { AccountRef, Command, MemberRef, NewLeadInput } from "../commands/command.js";
import { t } from "../commands/i18n.js";
import { readHandle } from "../commands/member-ref.js";
import { parseCommand } from "../commands/parser.js";
import { moveButtons, stageName } from "../commands/render-notice.js";
import { bantForm, nextStepForm, renderError, say } from "../commands/render-reply.js";
import { helpReply } from "../commands/render-help.js";
import type { Locale, Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { zonedMidnight } from "../domain/calendar.js";
import { fail, type DomainError, type Result } from "../domain/errors.js";
import { stageOf, type Playbook, type Verb } from "../domain/playbook.js";
import type { Action } from "../domain/funnel.js";
import { findActor, findMember, type Identity } from "../store/members.js";
import { openChange } from "./act-on-account.js";
import { addMember, identityOf } from "./add-member.js";
import { completeTask } from "./complete-task.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { createLead } from "./create-lead.js";
import { buildDigest } from "./digest.js";
import { funnelSummary } from "./funnel-summary.js";
import { gatedAction, gatedMove, moveAccount, reasonPrompt } from "./move-account.js";
import { myAccounts } from "./my-accounts.js";
import { myTasks } from "./my-tasks.js";
import { claimLead, poolReply } from "./pool.js";
import { grantAccess, ignoreAccess } from "./request-access.js";
import { resolveAccount } from "./resolve-account.js";
import { reassignPicker } from "./reassign-picker.js";
import { recordSpendEntry } from "./record-spend.js";
import { money } from "./figures-text.js";
import { funnelChart } from "./funnel-chart.js";
import { showAccount } from "./show-account.js";

// Kept for the surfaces that show a member's accounts (Slack's App Home, the playground's "My accounts").
export { myAccounts };

/**
 * The one entry point every surface calls: a line of the command language (or a parsed command) from a
 * member, answered with a platform-neutral reply in the member's language. Unknown people are told to
 * ask an admin; refusals are short sentences; nothing here throws to the platform. Each use case lives in
 * its own file; this only reads the command and hands it on.
 */
export async function runCommand(ctx: ServiceContext, actor: Actor | null, input: string | Command, meta: RequestMeta): Promise<Reply> {
  const locale: Locale = actor?.locale ?? "en";
  const parsed: Result<Command> = typeof input === "string" ? parseCommand(input) : { ok: true, value: input };
  if (!parsed.ok) return renderError(parsed.error, locale, ctx.playbook);
  if (parsed.value.verb === "help") return helpReply(parsed.value.topic, locale);
  if (!actor) return renderError(fail("unknown-member"), locale, ctx.playbook);
  return execute(ctx, actor, parsed.value, meta);
}

/** A command as a platform sent it: who it ran as and their answer, or no member (a stranger) and nothing run. */
export type Opened = { readonly actor: Actor; run(): Promise<Reply> } | { readonly actor: null };

/**
 * The change a command makes first to one account, as `execute` will run it: any change `accountChange` names,
 * a hand-off or advance (their checklist form only after a refusal), a claim from the pool, and a reassign to a
 * member who exists (read here; `execute` takes them from `opened`). Null for anything else.
 */
async function firstChange(ctx: ServiceContext, command: Command, meta: RequestMeta): Promise<{ readonly ref: AccountRef; readonly action: Action } | null> {
  switch (command.verb) {
    case "lead.handoff":
      return { ref: command.account, action: gatedAction(command.verb, { to: null, confirm: command.confirm, override: command.override }) };
    case "account.advance":
      return { ref: command.account, action: gatedAction(command.verb, { to: command.to, confirm: command.confirm, override: command.override }) };
    case "lead.claim":
      return { ref: command.account, action: { kind: "claim" } };
    case "account.reassign": {
      if (command.member === null || command.account.kind !== "id") return null;
      const member = await reassignTarget(ctx, command.member, meta);
      return member ? { ref: command.account, action: { kind: "reassign", to: member } } : null;
    }
    default:
      return accountChange(ctx, command);
  }
}

type ReassignTo = Extract<Action, { kind: "reassign" }>["to"];

/** The member a reassign names: the one `openCommand` read with the change's facts, or read now. */
async function reassignTarget(ctx: ServiceContext, name: string, meta: RequestMeta): Promise<ReassignTo | null> {
  const read = meta.opened?.action;
  if (read?.kind === "reassign") return read.to;
  const who = mentionOf(name, meta);
  return who ? findMember(ctx.db, identityOf(who)) : null;
}

/**
 * A line from someone a platform names by `identity` (a Slack or WeCom user id): the member they are, and how
 * to run the line as them. A change to an account named by id (every card button, `/lead accept #12`, a
 * hand-off, an advance, a claim, a reassign: `firstChange`) reads the member in the very statement that reads
 * the account's facts (`openChange`), so learning who sent it costs no round trip; any other line reads the
 * member first. Nobody, or someone who left, is a stranger
 * (`actor: null`) for the platform to answer; nothing is written for them here. Nothing is cached: a member
 * removed a moment ago is a stranger to their next command.
 */
export async function openCommand(ctx: ServiceContext, identity: Identity, line: string, meta: RequestMeta): Promise<Opened> {
  const parsed = parseCommand(line);
  const change = parsed.ok ? await firstChange(ctx, parsed.value, meta) : null;
  if (parsed.ok && change?.ref.kind === "id") {
    const command = parsed.value;
    const read = await openChange(ctx, identity, change.ref.id, change.action, meta.key ?? null);
    if (!read.actor) return read;
    const { actor, opened } = read;
    return { actor, run: () => execute(ctx, actor, command, { ...meta, opened }) };
  }
  const actor = await findActor(ctx.db, identity);
  if (!actor) return { actor: null };
  return { actor, run: () => runCommand(ctx, actor, parsed.ok ? parsed.value : line, meta) };
}

const MOVES: Partial<Record<Command["verb"], Verb>> = {
  "lead.accept": "accept", "lead.return": "return", "lead.unqualified": "disqualify",
  "lead.lost": "lose", "lead.recycle": "recycle", "account.churn": "churn", "account.recall": "winback", "account.archive": "archive",
};

/**
 * The change a command asks of one account, as `moveAccount` runs it; null for a command that does anything
 * else first (a form to fill, a checklist, a member to look up) or is no such change.
 */
function accountChange(ctx: ServiceContext, command: Command): { readonly ref: AccountRef; readonly action: Action } | null {
  const verb = MOVES[command.verb];
  if (verb && "account" in command) {
    const reason = "reason" in command ? command.reason.text : null;
    // Asked without the reason it needs (a card's button): the reason form, no change yet.
    return reason !== null && reason.trim() === "" ? null : { ref: command.account, action: { kind: "move", verb, reason } };
  }
  switch (command.verb) {
    case "lead.qualify":
      return command.answers === null ? null : { ref: command.account, action: { kind: "move", verb: "qualify", answers: command.answers } };
    case "account.validate": {
      const verb = command.outcome === "start" ? "validate" : command.outcome === "pass" ? "validate-pass" : "validate-fail";
      return { ref: command.account, action: { kind: "move", verb, confirm: "all" } };
    }
    case "account.sign":
      return { ref: command.account, action: { kind: "move", verb: "sign", confirm: "all" } };
    case "account.renew":
      return { ref: command.account, action: { kind: "amount", type: command.kind, amount: command.amount } };
    case "account.nudge":
      return { ref: command.account, action: { kind: "nudge" } };
    case "account.next":
      if (command.date === null) return null;
      return { ref: command.account, action: { kind: "next-step", day: command.date, at: zonedMidnight(command.date, ctx.calendar.timezone), note: command.note } };
    default:
      return null;
  }
}

async function execute(ctx: ServiceContext, actor: Actor, command: Command, meta: RequestMeta): Promise<Reply> {
  const locale = actor.locale;
  const refuse = (error: DomainError) => renderError(error, locale, ctx.playbook);

  const change = accountChange(ctx, command);
  if (change) return moveAccount(ctx, actor, change.ref, change.action, meta);
  const verb = MOVES[command.verb];
  // A move that needs a reason, asked without one (a card's button), answers with the reason form.
  if (verb && "account" in command) return reasonPrompt(ctx, command.account, verb, command.verb, locale);

  switch (command.verb) {
    case "lead.new": {
      const created = await createLead(ctx, actor, command.lead, meta);
      if (!created.ok) return refuse(created.error);
      const { accountId: id, company, stage, merged, sameName } = created.value;
      if (sameName) return sameNameReply(command.lead, sameName, ctx.playbook, locale);
      const text = t(locale, merged ? "merged" : "created", { id, company, stage: stageName(ctx.playbook, stage, locale) });
      // A new lead offers its next moves at once: the hand-off to sales (and disqualifying it).
      const buttons = merged ? [] : moveButtons(ctx.playbook, { id, company, stage }, locale);
      return say(text, [{ kind: "text", text }, ...(buttons.length ? [{ kind: "buttons" as const, buttons }] : [])], false);
    }
    case "lead.qualify": {
      // Asked without answers (a change with them is run above): the BANT form.
      const found = await resolveAccount(ctx, command.account);
      if (!found.ok) return refuse(found.error);
      const form = bantForm(found.value.account, locale);
      const hint = t(locale, "bant.hint", { id: found.value.account.id });
      return { text: `${form.title}\n${hint}`, ephemeral: true, blocks: [{ kind: "form", form }, { kind: "text", text: hint }] };
    }
    case "lead.handoff":
      return gatedMove(ctx, actor, command.verb, command.account, { to: null, confirm: command.confirm, override: command.override }, meta);
    case "account.advance":
      return gatedMove(ctx, actor, command.verb, command.account, { to: command.to, confirm: command.confirm, override: command.override }, meta);
    case "account.reassign": {
      if (command.member === null) return reassignPicker(ctx, command.account, locale);
      const member = await reassignTarget(ctx, command.member, meta);
      if (!member) return refuse(fail("unknown-member", { name: command.member }));
      return moveAccount(ctx, actor, command.account, { kind: "reassign", to: member }, meta);
    }
    case "account.next": {
      // Asked without a date (a change with one is run above): the next-step form.
      const found = await resolveAccount(ctx, command.account);
      if (!found.ok) return refuse(found.error);
      const form = nextStepForm(found.value.account, locale);
      return { text: form.title, ephemeral: true, blocks: [{ kind: "form", form }] };
    }
    case "lead.show":
    case "account.show":
      return showAccount(ctx, actor, command.account);
    case "lead.mine":
      return myAccounts(ctx, actor);
    case "lead.claim": {
      const claimed = await claimLead(ctx, actor, command.account, meta);
      if (!claimed.ok) return renderError(claimed.error, locale, ctx.playbook, String(claimed.error.details.company ?? ""));
      const stage = stageOf(ctx.playbook, claimed.value.stage);
      const sla = stage?.sla ? t(locale, stage.sla.unit === "business" ? "sla.business" : "sla.calendar", { days: stage.sla.days }) : "—";
      return say(`✅ ${t(locale, "claimed", { company: claimed.value.company, id: claimed.value.accountId, sla })}`, undefined, false);
    }
    case "lead.pool":
      return poolReply(ctx, actor);
    case "lead.import":
      return say(t(locale, "import.help"));
    case "account.tasks":
      return myTasks(ctx, actor);
    case "account.done":
      return completeTask(ctx, actor, command.task);
    case "funnel.show":
    case "funnel.digest": {
      if (command.team !== null && !ctx.playbook.teams.some((x) => x.key === command.team)) return refuse(fail("unknown-team", { team: command.team }));
      if (command.verb === "funnel.show") return funnelSummary(ctx, command.team, locale, command.window);
      // A preview: the member's own team by default, in the member's language, only to them.
      return { ...(await buildDigest(ctx, command.team ?? actor.teamKey, { locale })), ephemeral: true };
    }
    case "funnel.member": {
      const who = mentionOf(command.who, meta);
      if (!who) return refuse(fail("usage", { usage: "/funnel member add <@user> <team> <rep|manager|admin>" }));
      return addMember(ctx, actor, { who, team: command.team, role: command.role });
    }
    case "funnel.spend": {
      const saved = await recordSpendEntry(ctx, actor, command, meta);
      if (!saved.ok) return refuse(saved.error);
      return say(t(locale, "spend.recorded", { channel: saved.value.channel, month: saved.value.month, amount: money(saved.value.amount, saved.value.currency) }), undefined, false);
    }
    case "funnel.chart":
      return funnelChart(ctx, actor, command);
    case "funnel.access":
      return command.decision === "grant"
        ? grantAccess(ctx, actor, command.request, command.team, command.role)
        : ignoreAccess(ctx, actor, command.request);
    default:
      return refuse(fail("usage", { usage: "/lead help" }));
  }
}

/** A person named in a command, read the way the platform that carried it names people (a handle by default). */
function mentionOf(text: string, meta: RequestMeta): MemberRef | null {
  return (meta.mentions ?? readHandle)(text);
}

/** A lead not created because an account of its name exists: that account, and a button to create it anyway. */
function sameNameReply(lead: NewLeadInput, existing: { id: number; company: string; stage: string }, playbook: Playbook, locale: Locale): Reply {
  const text = t(locale, "same-name", { company: existing.company, id: existing.id, stage: stageName(playbook, existing.stage, locale) });
  const quote = (value: string) => (/^[^\s"“”]+$/.test(value) ? value : `"${value.replace(/["“”]/g, "'")}"`);
  const flags = (["email", "domain", "source", "region", "industry"] as const).flatMap((name) => (lead[name] ? [`--${name}`, quote(lead[name]!)] : []));
  const again = ["lead new", quote(lead.company), ...flags, ...(lead.amount !== null ? ["--amount", String(lead.amount)] : []), "--new"].join(" ");
  return {
    text, ephemeral: true, errorCode: "duplicate-account",
    blocks: [
      { kind: "text", text },
      { kind: "buttons", buttons: [
        { label: t(locale, "same-name.show", { id: existing.id }), command: `lead show #${existing.id}`, style: "primary" },
        { label: t(locale, "same-name.create"), command: again },
      ] },
    ],
  };
}
