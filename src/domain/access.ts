import { err, ok, type Result } from "./errors.js";

/** Where a request for access stands: waiting for an admin, granted (the person is a member), or ignored. */
export type AccessStatus = "pending" | "granted" | "ignored";

/** How often the admins hear of one person: a repeat ask inside this window is answered, not passed on. */
export const ACCESS_QUIET_MS = 24 * 60 * 60 * 1000;

/** A request for access as the decisions below read it. */
export interface AccessRequestFacts {
  readonly id: number;
  readonly status: AccessStatus;
  /** When the admins were last asked. */
  readonly requestedAt: Date;
  readonly decidedAt: Date | null;
  /** Who granted or ignored it, by name, for "already decided by …". */
  readonly decidedBy: string | null;
}

/**
 * Someone unknown asked to use the bot. `notify`: (re)open the request and ask the admins; `pending`: the admins
 * were asked within the last day (or decided within it), so the person is told it is pending and nobody is
 * asked again. A request decided longer ago (ignored, or granted to someone who has since left) opens again.
 */
export function onAccessAsk(existing: AccessRequestFacts | null, now: Date): "notify" | "pending" {
  if (!existing) return "notify";
  const last = existing.status === "pending" ? existing.requestedAt : (existing.decidedAt ?? existing.requestedAt);
  return now.getTime() - last.getTime() >= ACCESS_QUIET_MS ? "notify" : "pending";
}

/** A request may be granted or ignored once, while it is pending. */
export function mayDecideAccess(request: AccessRequestFacts): Result<void> {
  if (request.status === "pending") return ok(undefined);
  return err("access-decided", { id: request.id, status: request.status, by: request.decidedBy ?? "?" });
}
