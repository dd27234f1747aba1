import type { AccountRef, Command } from "../commands/command.js";
import { joinList, pick, t } from "../commands/i18n.js";
import { parseCommand } from "../commands/parser.js";
import { bantForm, checklistForm, renderAccount, renderError, say } from "../commands/render-reply.js";
import { reasonForm, reasonTitle, stageName } from "../commands/render-notice.js";
import { helpReply } from "../commands/render-help.js";
import type { Locale, Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { fail, type DomainError, type Result } from "../domain/errors.js";
import type { Action } from "../domain/funnel.js";
import { stageOf, type Verb } from "../domain/playbook.js";
import { stageCalendar, zonedMidnight } from "../domain/calendar.js";
import { stalledCutoff } from "../domain/stalled.js";
import { accountHistory, accountsOwnedBy } from "../store/accounts.js";
import { countAdmins, findMember, updateMember, upsertMember } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import { completeTask, findOpenTask, openTasks } from "../store/tasks.js";
import { mayChangeMember, mayCompleteTask } from "../domain/permissions.js";
import { actOnAccount, type ActOutcome } from "./act-on-account.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { createLead } from "./create-lead.js";
import { leadScore } from "./lead-intake.js";
import { claimLead, poolReply } from "./pool.js";
import { findLead } from "../store/leads.js";
import { buildDigest } from "./digest.js";
import { funnelSummary } from "./funnel-summary.js";
import { resolveAccount } from "./resolve-account.js";
import { recordSpendEntry } from "./record-spend.js";
import { money } from "./figures-text.js";
import { funnelChart } from "./funnel-chart.js";

/**
 * The one entry point every surface calls: a line of the command language (or a parsed command) from a
 * member, answered with a platform-neutral reply in the member's language. Unknown people are told to
 * ask an admin; refusals are short sentences; nothing here throws to the platform.
 */
export async function runCommand(ctx: ServiceContext, actor: Actor | null, input: string | Command, meta: RequestMeta): Promise<Reply> {
  const locale: Locale = actor?.locale ?? "en";
  const parsed: Result<Command> = typeof input === "string" ? parseCommand(input) : { ok: true, value: input };
  if (!parsed.ok) return renderError(parsed.error, locale, ctx.playbook);
  if (parsed.value.verb === "help") return helpReply(parsed.value.topic, locale);
  if (!actor) return renderError(fail("unknown-member"), locale, ctx.playbook);
  return execute(ctx, actor, parsed.value, meta);
}

const MOVES: Partial<Record<Command["verb"], Verb>> = {
  "lead.accept": "accept", "lead.return": "return", "lead.unqualified": "disqualify",
  "lead.lost": "lose", "lead.recycle": "recycle", "account.churn": "churn", "account.recall": "winback", "account.archive": "archive",
};

async function execute(ctx: ServiceContext, actor: Actor, command: Command, meta: RequestMeta): Promise<Reply> {
  const locale = actor.locale;
  const refuse = (error: DomainError, company = "") => renderError(error, locale, ctx.playbook, company);
  const act = async (ref: AccountRef, action: Action) => {
    const done = await actOnAccount(ctx, actor, ref, action, meta);
    if (done.ok) return describe(ctx, done.value, locale);
    const company = await companyOf(ctx, ref);
    if (done.error.code === "invalid-form" && action.kind === "move" && action.verb === "qualify") {
      const account = await resolveAccount(ctx, ref);
      if (account.ok) {
        const form = bantForm(account.value.account, locale, { ...action.answers }, done.error.details.fields as Record<string, never>);
        return { ...refuse(done.error, company), blocks: [...refuse(done.error, company).blocks, { kind: "form" as const, form }] };
      }
    }
    return refuse(done.error, company);
  };

  const verb = MOVES[command.verb];
  if (verb && "account" in command) {
    const reason = "reason" in command ? command.reason.text : null;
    // A move that needs a reason, asked without one (a card's button), answers with the reason form.
    if (reason !== null && reason.trim() === "") return reasonPrompt(ctx, command.account, verb, command.verb, locale);
    return act(command.account, { kind: "move", verb, reason });
  }

  switch (command.verb) {
    case "lead.new": {
      const created = await createLead(ctx, actor, command.lead, meta);
      if (!created.ok) return refuse(created.error);
      const { accountId: id, company, stage, merged } = created.value;
      return say(t(locale, merged ? "merged" : "created", { id, company, stage: stageName(ctx.playbook, stage, locale) }), undefined, false);
    }
    case "lead.qualify": {
      if (command.answers === null) {
        const found = await resolveAccount(ctx, command.account);
        if (!found.ok) return refuse(found.error);
        const form = bantForm(found.value.account, locale);
        const hint = t(locale, "bant.hint", { id: found.value.account.id });
        return { text: `${form.title}\n${hint}`, ephemeral: true, blocks: [{ kind: "form", form }, { kind: "text", text: hint }] };
      }
      return act(command.account, { kind: "move", verb: "qualify", answers: command.answers });
    }
    case "account.validate":
      return act(command.account, { kind: "move", verb: command.outcome === "start" ? "validate" : command.outcome === "pass" ? "validate-pass" : "validate-fail", confirm: "all" });
    case "account.sign":
      return act(command.account, { kind: "move", verb: "sign", confirm: "all" });
    case "lead.handoff":
    case "account.advance": {
      const to = command.verb === "account.advance" ? command.to : null;
      const verb = command.verb === "account.advance" ? "advance" : "handoff";
      const reply = await act(command.account, { kind: "move", verb, to, confirm: command.confirm, override: command.override });
      // Asked without confirmations (a button, a bare command): answer with the checklist to tick.
      if (reply.errorCode === "checklist-incomplete" && command.confirm === null && command.override === null) {
        const found = await resolveAccount(ctx, command.account);
        const form = found.ok ? checklistForm(ctx.playbook, found.value.account, command.verb, to, locale) : null;
        if (form) return { ...reply, blocks: [...reply.blocks, { kind: "form", form }] };
      }
      return reply;
    }
    case "account.renew":
      return act(command.account, { kind: "amount", type: command.kind, amount: command.amount });
    case "account.reassign": {
      const member = await findMember(ctx.db, { handle: command.member.replace(/^@/, "") });
      if (!member) return refuse(fail("unknown-member", { name: command.member }));
      return act(command.account, { kind: "reassign", to: member });
    }
    case "account.next": {
      const at = zonedMidnight(command.date, ctx.calendar.timezone);
      return act(command.account, { kind: "next-step", day: command.date, at, note: command.note });
    }
    case "lead.show": {
      const found = await resolveAccount(ctx, command.account);
      if (!found.ok) return refuse(found.error);
      const { account, owner } = found.value;
      const lead = await findLead(ctx.db, account.id);
      const score = lead ? await leadScore(ctx, lead) : null;
      return renderAccount(ctx.playbook, stageCalendar(ctx.calendars, ctx.playbook, account.stage), account, owner?.displayName ?? null, await accountHistory(ctx.db, account.id), ctx.clock(), locale, score);
    }
    case "lead.mine":
      return myAccounts(ctx, actor);
    case "lead.claim": {
      const claimed = await claimLead(ctx, actor, command.account, meta);
      if (!claimed.ok) return refuse(claimed.error, String(claimed.error.details.company ?? ""));
      const stage = stageOf(ctx.playbook, claimed.value.stage);
      const sla = stage?.sla ? t(locale, stage.sla.unit === "business" ? "sla.business" : "sla.calendar", { days: stage.sla.days }) : "—";
      return say(`✅ ${t(locale, "claimed", { company: claimed.value.company, id: claimed.value.accountId, sla })}`, undefined, false);
    }
    case "lead.pool":
      return poolReply(ctx, actor);
    case "lead.import":
      return say(t(locale, "import.help"));
    case "account.tasks": {
      const tasks = await openTasks(ctx.db, actor.id);
      if (tasks.length === 0) return say(t(locale, "tasks.empty"));
      const title = t(locale, "tasks.title", { count: tasks.length });
      return {
        text: [title, ...tasks.map((x) => `#${x.id} ${x.company}: ${x.title}`)].join("\n"),
        ephemeral: true,
        blocks: [
          { kind: "heading", text: title },
          ...tasks.slice(0, 20).flatMap((x) => [
            { kind: "text" as const, text: `#${x.id} ${x.company}: ${x.title}${x.dueAt ? ` (${x.dueAt.toISOString().slice(0, 10)})` : ""}` },
            { kind: "buttons" as const, buttons: [{ label: t(locale, "tasks.button"), command: `account done ${x.id}`, style: "primary" as const }] },
          ]),
        ],
      };
    }
    case "account.done": {
      const task = await findOpenTask(ctx.db, command.task);
      if (!task) return refuse(fail("task-not-found", { task: command.task }));
      const allowed = mayCompleteTask(ctx.playbook, actor, task);
      if (!allowed.ok) return refuse(allowed.error);
      const done = await completeTask(ctx.db, task.id, actor.id, ctx.clock());
      return done ? say(t(locale, "tasks.done", { task: command.task })) : refuse(fail("task-not-found", { task: command.task }));
    }
    case "funnel.show":
    case "funnel.digest": {
      if (command.team !== null && !ctx.playbook.teams.some((x) => x.key === command.team)) return refuse(fail("unknown-team", { team: command.team }));
      if (command.verb === "funnel.show") return funnelSummary(ctx, command.team, locale, command.window);
      // A preview: the member's own team by default, in the member's language, only to them.
      return { ...(await buildDigest(ctx, command.team ?? actor.teamKey, { locale })), ephemeral: true };
    }
    case "funnel.member":
      return addMember(ctx, actor, command);
    case "funnel.spend": {
      const saved = await recordSpendEntry(ctx, actor, command, meta);
      if (!saved.ok) return refuse(saved.error);
      return say(t(locale, "spend.recorded", { channel: saved.value.channel, month: saved.value.month, amount: money(saved.value.amount, saved.value.currency) }), undefined, false);
    }
    case "funnel.chart":
      return funnelChart(ctx, actor, command);
    default:
      return refuse(fail("usage", { usage: "/lead help" }));
  }
}

/**
 * `/funnel member add @user sales rep`: admins add anyone; managers add reps and managers to their own
 * team. The person is named by a Slack mention as Slack escapes it (`<@U123|name>`).
 */
async function addMember(ctx: ServiceContext, actor: Actor, command: Extract<Command, { verb: "funnel.member" }>): Promise<Reply> {
  const locale = actor.locale;
  const refuse = (error: DomainError) => renderError(error, locale, ctx.playbook);
  const team = ctx.playbook.teams.find((x) => x.key === command.team);
  if (!team) return refuse(fail("unknown-team", { team: command.team }));
  const mention = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(command.who);
  if (!mention) return refuse(fail("usage", { usage: "/funnel member add <@user> <team> <rep|manager|admin>" }));
  const [, slackUserId, name] = mention as unknown as [string, string, string | undefined];
  const existing = await findMember(ctx.db, { slackUserId });
  // Who the person is today decides as much as where they are going: see the permission table.
  const admins = existing?.role === "admin" ? await countAdmins(ctx.db) : 0;
  const allowed = mayChangeMember(actor, existing, { teamKey: team.key, role: command.role }, admins);
  if (!allowed.ok) return refuse(allowed.error);
  const teamLocale = (await findTeam(ctx.db, team.key))?.locale === "zh-CN" ? "zh-CN" : "en";
  const member = existing
    ? await updateMember(ctx.db, existing.handle, { teamKey: team.key, role: command.role })
    : await upsertMember(ctx.db, {
        handle: await freeHandle(ctx, (name || slackUserId).toLowerCase().replace(/[^a-z0-9._-]/g, "") || slackUserId.toLowerCase()),
        displayName: name || slackUserId, teamKey: team.key, role: command.role, locale: teamLocale, slackUserId,
      });
  return say(t(locale, "member.added", { name: member!.displayName, team: pick(team.name, locale), role: command.role }), undefined, false);
}

async function freeHandle(ctx: ServiceContext, wanted: string): Promise<string> {
  for (let n = 1; ; n++) {
    const handle = n === 1 ? wanted : `${wanted}${n}`;
    if (!(await findMember(ctx.db, { handle }))) return handle;
  }
}

async function companyOf(ctx: ServiceContext, ref: AccountRef): Promise<string> {
  const found = await resolveAccount(ctx, ref);
  return found.ok ? found.value.account.company : "";
}

async function reasonPrompt(ctx: ServiceContext, ref: AccountRef, verb: Verb, commandVerb: string, locale: Locale): Promise<Reply> {
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

function describe(ctx: ServiceContext, outcome: ActOutcome, locale: Locale): Reply {
  const stage = (code: string) => stageName(ctx.playbook, code, locale);
  const params = { company: outcome.company, from: stage(outcome.fromStage), to: stage(outcome.toStage), stage: stage(outcome.toStage) };
  let text: string;
  switch (outcome.event) {
    case "bant-failed":
      text = t(locale, "bant.failed", { ...params, failures: joinList(locale, (outcome.bantFailures ?? []).map((f) => t(locale, f === "confirmed" ? "bant.confirmed" : "bant.engaged"))) });
      break;
    case "renewal":
    case "expansion":
      text = t(locale, "renewed", { company: outcome.company, kind: t(locale, outcome.event), amount: "", total: outcome.amount.toLocaleString("en-US") }).replace("  ", " ");
      break;
    case "reassign":
      text = t(locale, "reassigned", { company: outcome.company, owner: outcome.ownerName ?? "—" });
      break;
    case "next-step":
      text = t(locale, "next-step", { company: outcome.company, day: outcome.nextStep?.day ?? "", note: outcome.nextStep?.note ?? "" });
      break;
    default:
      text = outcome.fromStage === "SAL" && outcome.toStage !== "SAL" && stageOf(ctx.playbook, outcome.toStage)?.forecast
        ? t(locale, "bant.passed", params)
        : t(locale, "moved", params) + (outcome.ownerName ? ` ${t(locale, "moved.owner", { owner: outcome.ownerName })}` : "");
  }
  return say(`✅ ${text.replace(/^✅ /, "")}`, undefined, false);
}

/** `lead mine`, and Slack's App Home: the member's open accounts, overdue first, then in funnel order. */
export async function myAccounts(ctx: ServiceContext, actor: Actor): Promise<Reply> {
  const locale = actor.locale;
  const open = ctx.playbook.stages.filter((s) => s.code !== "ARCHIVED" && (s.sla || s.idleDays)).map((s) => s.code);
  const accounts = await accountsOwnedBy(ctx.db, actor.id, open);
  if (accounts.length === 0) return say(t(locale, "mine.empty"));
  const now = ctx.clock();
  // One SLA cut-off per stage (the inverse of each account's deadline), on the calendar of the team that owns it.
  const cutoffs = new Map(open.map((code) => {
    const sla = stageOf(ctx.playbook, code)?.sla ?? null;
    return [code, sla ? stalledCutoff(stageCalendar(ctx.calendars, ctx.playbook, code), sla, now).getTime() : null];
  }));
  const overdue = (a: (typeof accounts)[number]) => {
    const cutoff = cutoffs.get(a.stage);
    return cutoff != null && a.stageEnteredAt.getTime() <= cutoff;
  };
  // Overdue first, then by stage order, so the list reads as a to-do.
  const order = new Map(ctx.playbook.stages.map((s, i) => [s.code, i]));
  const sorted = [...accounts].sort((a, b) => Number(overdue(b)) - Number(overdue(a)) || (order.get(a.stage) ?? 0) - (order.get(b.stage) ?? 0));
  const lines = sorted.map((a) => `#${a.id} ${a.company} — ${pick(stageOf(ctx.playbook, a.stage)!.name, locale)}${overdue(a) ? ` ⏰ ${t(locale, "mine.overdue")}` : ""}`);
  const title = t(locale, "mine.title", { count: accounts.length });
  return { text: [title, ...lines].join("\n"), ephemeral: true, blocks: [{ kind: "heading", text: title }, { kind: "list", items: lines.slice(0, 40), more: Math.max(0, lines.length - 40) }] };
}
