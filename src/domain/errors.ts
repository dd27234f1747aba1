/** Every way a request can be refused; platforms turn the code and its details into a sentence. */
export type ErrorCode =
  /** The command line could not be parsed; `usage` says what to type. */
  | "usage"
  /** No account matches the reference. */
  | "account-not-found"
  /** More than one account matches a name or domain prefix. */
  | "account-ambiguous"
  /** The move is not in the playbook; `allowed` lists the moves that are. */
  | "illegal-transition"
  /** The actor's team or role may not do this. */
  | "forbidden"
  /** The account belongs to another rep. */
  | "not-owner"
  /** The person is not a member yet. */
  | "unknown-member"
  /** Checklist markers of the current stage are not confirmed. */
  | "checklist-incomplete"
  /** Only a manager may skip a checklist. */
  | "override-not-manager"
  /** The move needs a reason from the playbook's list. */
  | "reason-required"
  /** The reason is not on the playbook's list. */
  | "unknown-reason"
  /** Someone else changed the account first. */
  | "already-done"
  /** The database could not be had in time (a burst): nothing was written, the same command may be retried. */
  | "busy"
  /** The BANT answers are incomplete or malformed; `fields` says which. */
  | "invalid-form"
  /** An amount that is not a positive number. */
  | "invalid-amount"
  /** A date that is not a real calendar date. */
  | "invalid-date"
  /** An email address that is not one (`li@@acme`). */
  | "invalid-email"
  /** A company domain that is not one (`acme`, `http://acme.com`). */
  | "invalid-domain"
  /** Renewal and expansion are only recorded in stages that allow them. */
  | "not-a-customer"
  /** The named stage does not exist in the playbook. */
  | "unknown-stage"
  /** The named team does not exist. */
  | "unknown-team"
  /** A value is too long or contains characters we do not store. */
  | "invalid-text"
  /** The same account already exists (same domain or email). */
  | "duplicate-account"
  /** A task that does not exist or is already done. */
  | "task-not-found"
  /** The account is not waiting in the public pool (公海): someone owns it, or it is past the pool's stage. */
  | "not-in-pool"
  /** The rep let this account go and may not have it back before `until`. */
  | "cooldown"
  /** The rep already holds as many unaccepted accounts as the playbook allows. */
  | "claim-limit"
  /** The change would leave the bot without an admin. */
  | "last-admin"
  /** A window of time that is not `30d` / `2026-Q3`, or a quarter that has not started (`future`). */
  | "invalid-window"
  /** The chart could not be drawn just now (its renderer failed, crashed or hung); asking again starts a new one. */
  | "chart-failed"
  /** A month that is not `YYYY-MM`, or one that has not started (`future`). */
  | "invalid-month"
  /** A source channel no account came from; `channels` lists those that exist. */
  | "unknown-channel"
  /** The removal would leave a team without a manager. */
  | "last-manager"
  /** The member named has left: nothing is given to them any more. */
  | "inactive-member"
  /** A leaving member's account or task has nobody to go to (no active rep, or a team that does not work its stage). */
  | "no-successor"
  /** A nudge with nobody to nudge: the account has no owner, or the asker owns it. */
  | "nothing-to-nudge"
  /** No request for access has that number. */
  | "access-request-not-found"
  /** The request for access was already granted or ignored; `by` says who. */
  | "access-decided";

/** A refusal with its code and the facts a message needs. */
export interface DomainError {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Builds a refusal. */
export function fail(code: ErrorCode, details: Record<string, unknown> = {}): DomainError {
  return { code, details };
}

/** A value or a refusal; domain functions return this instead of throwing. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/** Wraps a value as a success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a refusal as a failed result. */
export function err<T = never>(code: ErrorCode, details: Record<string, unknown> = {}): Result<T> {
  return { ok: false, error: fail(code, details) };
}

/** Thrown by services when a refusal must cross a transaction boundary; carries the DomainError. */
export class DomainFailure extends Error {
  constructor(readonly error: DomainError) {
    super(error.code);
    this.name = "DomainFailure";
  }
}
