import type { Actor } from "./account.js";
import { err, ok, type Result } from "./errors.js";
import type { Stage } from "./playbook.js";

/** Who owns the account now, as far as permissions care. */
export interface OwnerInfo {
  readonly id: number;
  readonly displayName: string;
  readonly teamKey: string;
}

/**
 * May `actor` act on an account in `stage` owned by `owner`? Admins may do anything; otherwise the actor's
 * team must own the stage. Managers of that team act on any of its accounts; reps only on their own, on
 * unowned ones (the pool) and on ones whose owner sits in another team (a hand-over between teams).
 */
export function mayAct(actor: Actor, stage: Stage, owner: OwnerInfo | null): Result<void> {
  if (actor.role === "admin") return ok(undefined);
  if (!stage.teams.includes(actor.teamKey)) {
    return err("forbidden", { team: actor.teamKey, stage: stage.code, teams: stage.teams });
  }
  if (actor.role === "manager" || owner === null || owner.id === actor.id) return ok(undefined);
  if (owner.teamKey !== actor.teamKey) return ok(undefined);
  return err("not-owner", { owner: owner.displayName });
}

/** Managers and admins may skip a checklist, reassign accounts and see every team's funnel. */
export function isManager(actor: Actor): boolean {
  return actor.role === "manager" || actor.role === "admin";
}
