import type { AccountState, Actor } from "../domain/account.js";
import { localDay } from "../domain/calendar.js";
import { err, ok, type Result } from "../domain/errors.js";
import { decide, routingTeam, type Action, type Decision, type DecideInput } from "../domain/funnel.js";
import { stageOf } from "../domain/playbook.js";
import { isPoolStage, type ClaimFacts, type RoutingFacts } from "../domain/routing.js";
import type { SaveOutcome } from "../store/accounts.js";
import { countOwned, findLead, releasesOf } from "../store/leads.js";
import { listMembers } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import type { ServiceContext } from "./context.js";
import type { AccountFacts } from "./resolve-account.js";

/** Attempts at a change before giving up on an account that keeps changing under us. */
export const MAX_ATTEMPTS = 5;

/**
 * The one save loop of every state change: each attempt loads fresh, decides (pure) and saves with the version
 * it read. A lost race (`conflict`) decides again on fresh state, so the loser learns who won; a repeated
 * idempotency key (`duplicate`) answers with the first result. `attempt` returns a refusal, or what to save and
 * the result to answer with once it is saved.
 */
export async function decideAndSave<T>(
  attempt: () => Promise<Result<{ readonly save: () => Promise<SaveOutcome>; readonly result: T }>>,
  gaveUp: () => Result<T>,
): Promise<Result<T>> {
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    const decided = await attempt();
    if (!decided.ok) return decided;
    const saved = await decided.value.save();
    if (saved.kind === "saved") return ok(decided.value.result);
    if (saved.kind === "duplicate") return ok(saved.result as T);
  }
  return gaveUp();
}

/** What gave up looks like to a person: someone else kept changing the account. */
export function raced<T>(): Result<T> {
  return err("already-done", { by: null, at: null, stage: null });
}

/**
 * Reads what else `decide` needs for this action on this account (read with its last transition, see
 * `startOnAccount`) — the pool's facts when it has no owner, the routing facts of the team a move would hand it
 * to — and decides, in one pure call.
 */
export async function loadAndDecide(ctx: ServiceContext, actor: Actor, facts: AccountFacts, action: Action): Promise<Result<Decision>> {
  const { account, owner } = facts.loaded;
  const now = ctx.clock();
  const input: DecideInput = {
    playbook: ctx.playbook, account, owner, actor, action, now,
    today: localDay(now, ctx.calendar.timezone),
    lastTransition: action.kind === "move" ? facts.lastTransition : null,
    claim: owner === null && !actor.bot ? await claimFacts(ctx, actor, account) : null,
    routing: await routingFacts(ctx, account, routingTeam(ctx.playbook, account, action)),
  };
  return decide(input);
}

async function claimFacts(ctx: ServiceContext, actor: Actor, account: AccountState): Promise<ClaimFacts | null> {
  const stage = stageOf(ctx.playbook, account.stage);
  if (!stage || !isPoolStage(ctx.playbook, stage)) return null;
  const pooled = ctx.playbook.stages.filter((s) => isPoolStage(ctx.playbook, s)).map((s) => s.code);
  return { releases: await releasesOf(ctx.db, account.id), held: await countOwned(ctx.db, actor.id, pooled) };
}

/** The routing facts of `team` for this account, or null when no team is named. */
export async function routingFacts(ctx: ServiceContext, account: AccountState, team: string | null): Promise<RoutingFacts | null> {
  if (team === null) return null;
  const lead = ctx.playbook.routing.rules.length > 0 ? await findLead(ctx.db, account.id) : null;
  return {
    team,
    members: await listMembers(ctx.db, team),
    lastAssignedId: (await findTeam(ctx.db, team))?.lastAssignedId ?? null,
    releases: await releasesOf(ctx.db, account.id),
    lead,
  };
}
