/** The roles a member can have; managers override checklists and reassign, admins do anything. */
export type Role = "rep" | "manager" | "admin";

/** Every role, for validation at the edges. */
export const ROLES: readonly Role[] = ["rep", "manager", "admin"];

/** A person acting through the bot. */
export interface Actor {
  readonly id: number;
  readonly handle: string;
  readonly displayName: string;
  readonly teamKey: string;
  readonly role: Role;
  readonly locale: "en" | "zh-CN";
  readonly away: boolean;
  /** The bot itself, acting by the playbook's rules (a hot lead's hand-off): never made an owner. */
  readonly bot?: boolean;
}

/** The state of an account that the funnel reads and changes. */
export interface AccountState {
  readonly id: number;
  readonly company: string;
  readonly domain: string | null;
  readonly email: string | null;
  readonly source: string | null;
  readonly ownerId: number | null;
  readonly stage: string;
  readonly stageEnteredAt: Date;
  readonly lastActivityAt: Date;
  readonly amount: number;
  readonly currency: string;
  readonly score: number;
  readonly nextStepAt: Date | null;
  readonly nextStepNote: string | null;
  readonly version: number;
}

/** The kinds of event the audit trail records. */
export type EventKind =
  | "created" | "transition" | "bant-failed" | "renewal" | "expansion" | "reassign" | "next-step"
  /** An automation reminded the owner (level 1) or their managers (level 2) of an assignment not accepted in time. */
  | "reminder"
  /** An automation took an assignment not accepted in time from its owner (level 3), to the next rep or the pool. */
  | "released"
  /** A rep took an unowned account from the public pool (公海). */
  | "claimed"
  /** A member left: their account (or their tasks on it) went to a named member or their team's round robin. */
  | "transferred"
  /** A manager asked the owner to look at the account (a digest's Nudge); not the owner's activity. */
  | "nudge";

/** An event to append to the audit trail. */
export interface EventDraft {
  readonly kind: EventKind;
  readonly fromStage: string | null;
  readonly toStage: string | null;
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
  readonly amount: number | null;
  readonly data: Readonly<Record<string, unknown>> | null;
}

/** An event as stored, with who did it and when. */
export interface StageEventRecord extends EventDraft {
  readonly id: number;
  readonly accountId: number;
  readonly actorId: number | null;
  readonly actorName: string | null;
  readonly at: Date;
  readonly platform: string;
}
