import { pick, t } from "../commands/i18n.js";
import { moveButtons, renderNotice } from "../commands/render-notice.js";
import { nextStepButton } from "../commands/render-reply.js";
import type { Button, Locale, OutgoingMessage, Reply } from "../commands/reply.js";
import type { StageEventRecord } from "../domain/account.js";
import { slaDeadline } from "../domain/calendar.js";
import { err, ok } from "../domain/errors.js";
import { escalate, type Decision } from "../domain/funnel.js";
import { isClosed, type Automation, type Playbook, type Sla, type Stage } from "../domain/playbook.js";
import type { ServiceContext } from "../services/context.js";
import { decideAndSave, routingFacts } from "../services/save-decision.js";
import { accountsInStageSince, eventsSince, findAccount, saveChange, type AccountWithOwner } from "../store/accounts.js";
import { listMembers, type MemberRecord } from "../store/members.js";
import { accountsWithTask, createTaskWithMessages } from "../store/tasks.js";
import { findTeam } from "../store/teams.js";

const DAY_MS = 86_400_000;
/** Accounts read per query: automations page through a stage, never load it whole. */
const PAGE = 200;
/** Escalation levels, each at that multiple of the stage's SLA: remind the rep, tell their managers, release. */
const LEVELS = [1, 2, 3] as const;
/** An escalation level: 1 reminds the owner, 2 tells their managers, 3 takes the account back. */
type Level = (typeof LEVELS)[number];

/** What one automation pass did. */
export interface AutomationPass {
  /** Tasks created by `task-after-days` automations. */
  readonly tasks: number;
  /** Owners reminded of an assignment they have not accepted (1× the SLA). */
  readonly reminders: number;
  /** Assignments their owner's managers heard about (2× the SLA). */
  readonly escalations: number;
  /** Assignments taken back from their owner (3× the SLA), to the next rep or the pool. */
  readonly released: number;
}

/**
 * Runs the playbook's timed automations as of `now`: tasks for accounts long enough in a stage, and the
 * escalation of assignments nobody accepted. Idempotent, and safe for several replicas every few minutes:
 * a task is unique per (account, kind), and each escalation step is an event saved with a versioned
 * update of the account, so it happens once per stage entry and never after the owner has acted.
 */
export async function runAutomations(ctx: ServiceContext, options: { now: Date }): Promise<AutomationPass> {
  const { now } = options;
  let tasks = 0;
  for (const automation of ctx.playbook.automations) {
    if (automation.kind === "task-after-days") tasks += await createDueTasks(ctx, automation, now);
  }
  const counts = { 1: 0, 2: 0, 3: 0 };
  for (const stage of escalatedStages(ctx)) {
    for (const [level, n] of Object.entries(await escalateStage(ctx, stage, now))) counts[Number(level) as Level] += n;
  }
  return { tasks, reminders: counts[1], escalations: counts[2], released: counts[3] };
}

async function createDueTasks(ctx: ServiceContext, automation: Extract<Automation, { kind: "task-after-days" }>, now: Date): Promise<number> {
  const enteredBefore = new Date(now.getTime() - automation.days * DAY_MS);
  const homeTeam = ctx.playbook.stages.find((s) => s.code === automation.stage)?.teams[0] ?? null;
  let created = 0;
  for await (const page of pages(ctx, automation.stage, enteredBefore, false)) {
    const done = await accountsWithTask(ctx.db, page.map((a) => a.account.id), automation.task);
    for (const { account, owner } of page) {
      if (done.has(account.id)) continue;
      // DESIGN.md: stage reminders go to the owning team's channel, naming the owner, so the manager sees
      // them too; a stage without a team tells the owner directly.
      const team = homeTeam ? await findTeam(ctx.db, homeTeam) : null;
      const locale: Locale = team ? localeOf(team.locale) : localeOf(owner?.locale ?? "en");
      const to = homeTeam ? { kind: "team" as const, teamKey: homeTeam } : owner ? { kind: "member" as const, memberId: owner.id } : null;
      // The task keeps its title in its owner's language, for their `/account tasks`; the channel reads its own.
      const title = pick(automation.title, owner ? localeOf(owner.locale) : locale);
      const assignee = owner?.displayName ?? team?.name ?? homeTeam ?? "";
      const id = await createTaskWithMessages(
        ctx.db,
        { accountId: account.id, assigneeId: owner?.id ?? null, kind: automation.task, title, dueAt: null, at: now },
        (task) => (to ? [{ to, reply: taskReply(locale, { title: pick(automation.title, locale), company: account.company, id: account.id, task, owner: assignee }, ctx.playbook, automation.stage) }] : []),
      );
      if (id !== null) created += 1;
    }
  }
  return created;
}

function taskReply(locale: Locale, params: { title: string; company: string; id: number; task: number; owner: string }, playbook: Playbook, stage: string): Reply {
  const text = t(locale, "tasks.created", params);
  const done: Button = { label: t(locale, "tasks.button"), command: `account done ${params.task}`, style: "primary" };
  return withButtons(text, [done, ...nextStep(playbook, { id: params.id, company: params.company, stage }, locale)]);
}

/** [Next step] on a reminder, as on the account's card: while the account is open, scheduling its next step is an answer too. */
function nextStep(playbook: Playbook, account: { id: number; company: string; stage: string }, locale: Locale): Button[] {
  return isClosed(playbook, account.stage) ? [] : [nextStepButton(account, locale)];
}

/** Stages whose accounts are handed to a member who must accept them: an `assignTo` team, an SLA and an accept move. */
function escalatedStages(ctx: ServiceContext): Stage[] {
  const { playbook } = ctx;
  return playbook.stages.filter((s) => s.assignTo && s.sla && playbook.transitions.some((x) => x.from === s.code && x.verb === "accept"));
}

async function escalateStage(ctx: ServiceContext, stage: Stage, now: Date): Promise<Record<Level, number>> {
  const sla = stage.sla!;
  // The SLA counts the business days of the team that owns the stage.
  const calendar = ctx.calendars.of(stage.teams[0] ?? null);
  const counts: Record<Level, number> = { 1: 0, 2: 0, 3: 0 };
  // n business days are never less than n days less an hour of DST: a superset of the accounts past 1× SLA,
  // checked exactly below against the calendar.
  const enteredBefore = new Date(now.getTime() - sla.days * DAY_MS + 2 * 3_600_000);
  for await (const page of pages(ctx, stage.code, enteredBefore, true)) {
    const oldest = page[0]!.account.stageEnteredAt;
    const events = await eventsSince(ctx.db, page.map((a) => a.account.id), ["reminder", "released", "reassign", "claimed", "transferred"], oldest);
    for (const item of page) {
      const { since, done } = round(item, events.filter((e) => e.accountId === item.account.id));
      const due = LEVELS.filter((level) => now.getTime() >= slaDeadline(calendar, since, times(sla, level)).getTime()).at(-1);
      // After downtime several levels may be due at once: only the highest happens, once.
      if (due === undefined || due <= done) continue;
      if (await escalateAccount(ctx, stage, item, due, now)) counts[due] += 1;
    }
  }
  return counts;
}

/**
 * Where the current owner's round of escalation stands: it starts when the account entered the stage, or
 * later when it was released to a new owner, reassigned by a manager, handed over when its owner left, or claimed from the pool; `done` is the highest level
 * already carried out in that round.
 */
function round({ account }: AccountWithOwner, events: readonly StageEventRecord[]): { since: Date; done: number } {
  let since = account.stageEnteredAt;
  let done = 0;
  for (const e of events) {
    if (e.at.getTime() < account.stageEnteredAt.getTime()) continue; // an earlier visit to the stage
    if (e.kind === "reminder") done = Math.max(done, Number(e.data?.level ?? 0));
    else {
      since = e.at;
      done = 0;
    }
  }
  return { since, done };
}

function times(sla: Sla, n: number): Sla {
  return { days: sla.days * n, unit: sla.unit };
}

function slaText(locale: Locale, sla: Sla): string {
  return t(locale, sla.unit === "business" ? "sla.business" : "sla.calendar", { days: sla.days });
}

function localeOf(value: string): Locale {
  return value === "zh-CN" ? "zh-CN" : "en";
}

/**
 * Carries out one escalation step, decided in the domain and saved through the one save loop with the version
 * read; false when the account changed meanwhile (accepted, say) so the step no longer applies.
 */
async function escalateAccount(ctx: ServiceContext, stage: Stage, read: AccountWithOwner, level: Level, now: Date): Promise<boolean> {
  let attempts = 0;
  const done = await decideAndSave<boolean>(async () => {
    // The first attempt uses the page's row; a retry reads the account again and gives up once it has moved on.
    const fresh = attempts++ === 0 ? read : await findAccount(ctx.db, read.account.id);
    if (!fresh || fresh.account.stage !== stage.code || fresh.owner?.id !== read.owner?.id || fresh.account.stageEnteredAt.getTime() !== read.account.stageEnteredAt.getTime()) {
      return err("already-done", {});
    }
    const { account, owner } = fresh;
    if (!owner) return err("not-in-pool", {});
    const managers = level === 2 ? (await listMembers(ctx.db, owner.teamKey)).filter((m) => m.role === "manager" && m.active && m.id !== owner.id) : [];
    const routing = level === 3 && ctx.playbook.routing.release !== "pool" ? await routingFacts(ctx, account, stage.assignTo) : null;
    const decision = escalate({ playbook: ctx.playbook, stage, account, owner, level, managers: managers.map((m) => m.displayName), routing, now });
    const messages = await escalationMessages(ctx, stage, fresh, owner, decision, managers, level);
    const member = decision.assigned?.member ?? null;
    return ok({
      result: true,
      save: () => saveChange(ctx.db, {
        accountId: account.id, expectedVersion: account.version, next: decision.next, events: decision.events, actorId: null, platform: "system", at: now,
        bant: null, checklist: null, messages, roundRobin: member ? { teamKey: decision.assigned!.team, memberId: member.id } : null, idempotency: null,
      }),
    });
  }, () => ok(false));
  return done.ok && done.value;
}

/** What an escalation step tells whom: the rep (1), their managers or else the team channel (2), everyone concerned (3). */
async function escalationMessages(
  ctx: ServiceContext, stage: Stage, { account }: AccountWithOwner, owner: NonNullable<AccountWithOwner["owner"]>, decision: Decision,
  managers: readonly MemberRecord[], level: Level,
): Promise<OutgoingMessage[]> {
  const { playbook } = ctx;
  const sla = stage.sla!;
  const facts = { company: account.company, id: account.id, rep: owner.displayName };
  const teamLocale = async (key: string) => localeOf((await findTeam(ctx.db, key))?.locale ?? "en");
  const messages: OutgoingMessage[] = [];
  // Each reminder is a card of the account: once someone accepts (or it moves on), it shows the outcome, not a stale alarm.
  const card = { accountId: account.id, kind: "escalation" };
  if (level === 1) {
    const locale = localeOf(owner.locale);
    const text = t(locale, "escalation.rep", { ...facts, sla: slaText(locale, sla) });
    messages.push({ to: { kind: "member", memberId: owner.id }, reply: withButtons(text, [...moveButtons(playbook, account, locale), ...nextStep(playbook, account, locale)]), card });
  } else if (level === 2) {
    const say = (locale: Locale) => withButtons(t(locale, "escalation.manager", { ...facts, sla: slaText(locale, times(sla, 2)), release: slaText(locale, times(sla, 3)) }), []);
    for (const manager of managers) messages.push({ to: { kind: "member", memberId: manager.id }, reply: say(manager.locale), card });
    // A team without a manager hears of it in its channel instead.
    if (managers.length === 0) messages.push({ to: { kind: "team", teamKey: owner.teamKey }, reply: say(await teamLocale(owner.teamKey)), card });
  } else {
    const chosen = decision.assigned?.member ?? null;
    const within = (locale: Locale) => slaText(locale, times(sla, 3));
    const oldLocale = localeOf(owner.locale);
    messages.push({ to: { kind: "member", memberId: owner.id }, reply: withButtons(t(oldLocale, "escalation.released-rep", { ...facts, sla: within(oldLocale) }), []) });
    if (chosen) {
      const notice = renderNotice("mql-assigned", { playbook, account: decision.next, actorName: "funnelbot", reason: null, ownerName: chosen.displayName, toOwner: true }, localeOf(chosen.locale));
      messages.push({ to: { kind: "member", memberId: chosen.id }, reply: notice, card: { accountId: account.id, kind: "mql-assigned" } });
    }
    const channel = stage.teams[0] ?? stage.assignTo!;
    const locale = await teamLocale(channel);
    const text = t(locale, "escalation.released", { ...facts, sla: within(locale), owner: chosen?.displayName ?? t(locale, "show.nobody") });
    messages.push({ to: { kind: "team", teamKey: channel }, reply: withButtons(text, chosen ? [] : moveButtons(playbook, decision.next, locale)), card });
  }
  return messages;
}

function withButtons(text: string, buttons: readonly Button[]): Reply {
  return { text, ephemeral: false, blocks: [{ kind: "text", text }, ...(buttons.length ? [{ kind: "buttons" as const, buttons }] : [])] };
}

/** The accounts of a stage that entered it by `enteredBefore`, a page at a time, oldest first. */
async function* pages(ctx: ServiceContext, stage: string, enteredBefore: Date, ownedOnly: boolean): AsyncGenerator<AccountWithOwner[]> {
  let after: { enteredAt: Date; id: number } | null = null;
  for (;;) {
    const page = await accountsInStageSince(ctx.db, { stage, enteredBefore, ownedOnly, after, take: PAGE });
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!.account;
    after = { enteredAt: last.stageEnteredAt, id: last.id };
  }
}
