import { t } from "../commands/i18n.js";
import type { Locale, OutgoingMessage } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { err, ok, type DomainError, type Result } from "../domain/errors.js";
import { transfer, type Successor, type TransferDecision } from "../domain/funnel.js";
import { mayRemoveMember } from "../domain/permissions.js";
import { transitionsFrom } from "../domain/playbook.js";
import { accountIdsOwnedBy, findAccount, saveChange } from "../store/accounts.js";
import { countAdmins, countManagers, deactivateMember, findMember, type MemberRecord } from "../store/members.js";
import { enqueue } from "../store/outbox.js";
import { openTaskIdsByAccount } from "../store/tasks.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { decideAndSave, raced, routingFacts } from "./save-decision.js";

/** Where a leaving member's work goes: a member's handle, or `team` for their team's round robin. */
export type Destination = { readonly handle: string } | "team";

/** One account (or the leaving member's tasks on it) handed over, or refused. */
export interface HandOver {
  readonly accountId: number;
  readonly company: string;
  /** Whether the account itself changed owner (false: only the leaving member's tasks on it). */
  readonly owned: boolean;
  readonly tasks: number;
  readonly to: string | null;
  readonly toId: number | null;
  readonly refused: DomainError | null;
}

/** What a removal did (or, dry, would do). */
export interface Offboarding {
  readonly member: string;
  readonly dryRun: boolean;
  readonly moves: readonly HandOver[];
}

/**
 * Removes a member: checks the permission table (nobody removes themself, the last admin and a team's last
 * manager stay), plans a hand-over of every open account they own and every open task of theirs, and refuses
 * — writing nothing — when any of them would have nobody to go to. Then the member is deactivated (so nothing
 * new reaches them) and each hand-over is decided in the domain (`transfer`) and saved through the one save
 * loop, each a `transferred` event; the successors hear once what they got. Running it again on someone
 * already inactive finishes a hand-over that was interrupted.
 */
export async function offboardMember(
  ctx: ServiceContext, actor: Actor, handle: string, destination: Destination, options: { readonly dryRun?: boolean; readonly meta: RequestMeta },
): Promise<Result<Offboarding>> {
  const member = await findMember(ctx.db, { handle });
  if (!member) return err("unknown-member", { name: handle });
  if (member.active) {
    const allowed = mayRemoveMember(actor, member, { admins: await countAdmins(ctx.db), managers: await countManagers(ctx.db, member.teamKey) });
    if (!allowed.ok) return allowed;
  }
  let named: MemberRecord | null = null;
  if (destination !== "team") {
    named = await findMember(ctx.db, { handle: destination.handle });
    if (!named) return err("unknown-member", { name: destination.handle });
    if (!named.active) return err("inactive-member", { name: named.displayName });
    if (named.id === member.id) return err("no-successor", { name: member.displayName, company: "—", id: "—" });
  }

  const plan = await planHandOver(ctx, member, named);
  if (options.dryRun) return ok({ member: member.handle, dryRun: true, moves: plan });
  const refused = plan.filter((m) => m.refused);
  if (refused.length > 0) return err("no-successor", { name: member.displayName, company: refused[0]!.company, id: refused[0]!.accountId, moves: refused });

  // Deactivated first: from now on no routing, claim or reassignment can give them anything new.
  if (member.active) await deactivateMember(ctx.db, member.id);
  const moves: HandOver[] = [];
  for (const move of plan) moves.push(await handOver(ctx, actor, member, named, move.accountId, options.meta));
  await tellSuccessors(ctx, member, moves);
  return ok({ member: member.handle, dryRun: false, moves });
}

/** The stages whose accounts still need an owner: those with a move out (an archived account stays with its last owner). */
function openStages(ctx: ServiceContext): string[] {
  return ctx.playbook.stages.filter((s) => transitionsFrom(ctx.playbook, s.code).length > 0).map((s) => s.code);
}

/**
 * Every account and task to move, each decided as it would be now; nothing is written. `alsoLeaving` names
 * members leaving at the same time (a configuration file dropping several): nothing is planned to go to them.
 */
export async function planHandOver(ctx: ServiceContext, member: MemberRecord, named: MemberRecord | null, alsoLeaving: readonly number[] = []): Promise<HandOver[]> {
  const owned = await accountIdsOwnedBy(ctx.db, member.id, openStages(ctx));
  const tasks = await openTaskIdsByAccount(ctx.db, member.id);
  const ids = [...new Set([...owned, ...tasks.keys()])].sort((a, b) => a - b);
  const plan: HandOver[] = [];
  for (const id of ids) {
    const decided = await decideTransfer(ctx, member, named, id, tasks.get(id) ?? [], alsoLeaving);
    if (!decided) continue;
    const { company, decision } = decided;
    plan.push({
      accountId: id, company, owned: owned.includes(id), tasks: (tasks.get(id) ?? []).length,
      to: decision.ok ? decision.value.name : null, toId: decision.ok ? decision.value.successorId : null, refused: decision.ok ? null : decision.error,
    });
  }
  return plan;
}

/** Reads one account fresh and decides its hand-over; null when the account is gone. */
async function decideTransfer(ctx: ServiceContext, member: MemberRecord, named: MemberRecord | null, accountId: number, tasks: readonly number[], alsoLeaving: readonly number[] = []) {
  const loaded = await findAccount(ctx.db, accountId);
  if (!loaded) return null;
  const { account } = loaded;
  const routing = named ? null : (await routingFacts(ctx, account, member.teamKey))!;
  const to: Successor = named
    ? { kind: "member", member: alsoLeaving.includes(named.id) ? { ...named, active: false } : named }
    : { kind: "team", routing: { ...routing!, members: routing!.members.map((m) => (alsoLeaving.includes(m.id) ? { ...m, active: false } : m)) } };
  const decided = transfer({ playbook: ctx.playbook, account, leaving: member, to, tasks, now: ctx.clock() });
  const data = decided.ok ? decided.value.events[0]!.data : null;
  const decision: Result<TransferDecision & { name: string; successorId: number }> = decided.ok
    ? ok({ ...decided.value, name: String(data?.ownerName ?? ""), successorId: Number(data?.ownerId) })
    : decided;
  return { loaded, company: account.company, decision };
}

/** One hand-over through the one save loop: read fresh, decide, save with the version read. */
async function handOver(ctx: ServiceContext, actor: Actor, member: MemberRecord, named: MemberRecord | null, accountId: number, meta: RequestMeta): Promise<HandOver> {
  let company = `#${accountId}`;
  let summary: Omit<HandOver, "refused"> = { accountId, company, owned: false, tasks: 0, to: null, toId: null };
  const saved = await decideAndSave<Omit<HandOver, "refused">>(async () => {
    const tasks = (await openTaskIdsByAccount(ctx.db, member.id)).get(accountId) ?? [];
    const decided = await decideTransfer(ctx, member, named, accountId, tasks);
    if (!decided) return err("account-not-found", { ref: `#${accountId}` });
    company = decided.company;
    if (!decided.decision.ok) return decided.decision;
    const decision = decided.decision.value;
    const { account } = decided.loaded;
    const now = ctx.clock();
    summary = { accountId, company, owned: account.ownerId === member.id, tasks: tasks.length, to: decision.name, toId: decision.successorId };
    return ok({
      result: summary,
      save: () => saveChange(ctx.db, {
        accountId, expectedVersion: account.version, next: decision.next, events: decision.events, actorId: actor.id > 0 ? actor.id : null,
        platform: meta.platform, at: now, bant: null, checklist: null, messages: [],
        roundRobin: decision.assigned?.member ? { teamKey: decision.assigned.team, memberId: decision.assigned.member.id } : null,
        idempotency: null, tasks: decision.tasks,
      }),
    });
  }, raced);
  if (saved.ok) return { ...saved.value, refused: null };
  // Someone else moved it meanwhile (accepted and handed on, reassigned by a manager): nothing of theirs is left there.
  return { ...summary, company, refused: saved.error.code === "already-done" ? null : saved.error };
}

/** One message to each successor: what they now hold, in their language. */
async function tellSuccessors(ctx: ServiceContext, member: MemberRecord, moves: readonly HandOver[]): Promise<void> {
  const bySuccessor = new Map<number, HandOver[]>();
  for (const move of moves) if (move.toId !== null && !move.refused) bySuccessor.set(move.toId, [...(bySuccessor.get(move.toId) ?? []), move]);
  const messages: OutgoingMessage[] = [];
  for (const [id, got] of bySuccessor) {
    const successor = await findMember(ctx.db, { id });
    if (!successor) continue;
    const locale: Locale = successor.locale;
    const list = got.slice(0, 20).map((m) => `#${m.accountId} ${m.company}${m.tasks ? ` (${t(locale, "handover.tasks", { count: m.tasks })})` : ""}`);
    const more = got.length > 20 ? [t(locale, "handover.more", { count: got.length - 20 })] : [];
    const text = [t(locale, "handover.title", { name: member.displayName, count: got.length }), ...list, ...more].join("\n");
    messages.push({ to: { kind: "member", memberId: successor.id }, reply: { text, ephemeral: false, blocks: [{ kind: "text", text }] } });
  }
  if (messages.length > 0) await enqueue(ctx.db, messages, ctx.clock());
}

/** A refusal of a whole removal, for the CLI: which accounts have nowhere to go. */
export function describeRefusals(moves: readonly HandOver[]): string[] {
  return moves.filter((m) => m.refused).map((m) => `#${m.accountId} ${m.company}: ${refusalText(m.refused!)}`);
}

function refusalText(error: DomainError): string {
  if (error.code === "no-successor" && error.details.team) return `${String(error.details.team)} does not work its stage (${(error.details.teams as string[]).join(", ")})`;
  if (error.code === "no-successor") return "no active rep of the team is free to take it";
  return error.code;
}
