import type { Actor, Role } from "./account.js";
import { err, ok, type ErrorCode, type Result } from "./errors.js";
import { stageOf, type Playbook, type Stage } from "./playbook.js";

/** Who owns the account now, as far as permissions care. */
export interface OwnerInfo {
  readonly id: number;
  readonly displayName: string;
  readonly teamKey: string;
}

/**
 * Everything a member can ask of the bot, as the permission table names it. Account verbs act on one
 * account; the others act on a task, a member, or only read.
 */
export const CAPABILITIES = [
  // Moves and other changes of one account.
  "handoff", "accept", "return", "disqualify", "qualify", "validate", "validate-pass", "validate-fail", "sign", "advance",
  "lose", "churn", "winback", "archive", "recycle", "renew", "next-step", "reassign", "override", "claim",
  // Asking the owner, by DM, to look at a stalled account.
  "nudge",
  // Reads of one account, and lists.
  "show", "mine", "pool", "tasks", "funnel", "digest",
  // Not an account: creating one, closing a task, managing people.
  "create", "complete-task", "manage-member",
  // Marketing's own figures: a month's spend on a source channel.
  "record-spend",
] as const;
/** One capability of the permission table. */
export type Capability = (typeof CAPABILITIES)[number];

/** Who is asking: a member's role, the bot itself (a hot lead's hand-off, a release), or someone who is not a member. */
export type Asker = Role | "bot" | "stranger";
/** Every asker, for the table and its test. */
export const ASKERS: readonly Asker[] = ["rep", "manager", "admin", "bot", "stranger"];

/** Whether the asker's team is among those that act on the thing (the account's stage, the task's team, the member's team). */
export type TeamRelation = "own" | "other";
/** Every team relation. */
export const TEAM_RELATIONS: readonly TeamRelation[] = ["own", "other"];

/**
 * Who holds the thing asked about: the asker; another member of the asker's team; a member of another team
 * (an account handed between teams, P0 from sales to CS); nobody, outside the pool's stages; nobody, in a
 * stage whose unowned accounts wait in the public pool (公海).
 */
export type Ownership = "own" | "teammate" | "other-team" | "unowned" | "pool";
/** Every ownership. */
export const OWNERSHIPS: readonly Ownership[] = ["own", "teammate", "other-team", "unowned", "pool"];

/**
 * The table's answer: go ahead; go ahead by first claiming the account under the pool's rules (the asker
 * becomes its owner); or a refusal with its code.
 */
export type Answer = "allow" | "claim" | { readonly deny: ErrorCode; readonly needs?: "manager" | "admin" | "own-team" };

const ALLOW = "allow";
const CLAIM = "claim";
const STRANGER = { deny: "unknown-member" } as const;
const NOT_TEAM = { deny: "forbidden" } as const;
const NOT_OWNER = { deny: "not-owner" } as const;
const MANAGERS = { deny: "forbidden", needs: "manager" } as const;
const ADMINS = { deny: "forbidden", needs: "admin" } as const;
const NOT_IN_POOL = { deny: "not-in-pool" } as const;
const OWN_TEAM = { deny: "forbidden", needs: "own-team" } as const;

/** One row of the table: a role's answer for each team relation and ownership. */
type Row = Readonly<Record<TeamRelation, Readonly<Record<Ownership, Answer>>>>;
type Policy = Readonly<Record<Asker, Row>>;

function row(own: Readonly<Record<Ownership, Answer>>, other: Answer | Readonly<Record<Ownership, Answer>>): Row {
  return { own, other: typeof other === "object" && !("deny" in other) ? other : everywhere(other as Answer) };
}

function everywhere(answer: Answer): Readonly<Record<Ownership, Answer>> {
  return { own: answer, teammate: answer, "other-team": answer, unowned: answer, pool: answer };
}

const strangers = row(everywhere(STRANGER), STRANGER);
/** The bot moves accounts by the playbook's own rules (hand-off, release) and never becomes an owner. */
const bot = row(everywhere(ALLOW), ALLOW);
/** What the bot never does on its own: anything a person asks for. */
const notBot = row(everywhere(NOT_TEAM), NOT_TEAM);

/**
 * Work on an account: a rep acts on their own accounts and on those handed over from another team, never on
 * a teammate's; an unowned account is claimed first (the pool's cool-down and limit apply), so nobody acts on
 * an account that then has no owner. Managers act on every account of their team's stages; admins on all.
 */
const WORK: Policy = {
  rep: row({ own: ALLOW, teammate: NOT_OWNER, "other-team": ALLOW, unowned: CLAIM, pool: CLAIM }, NOT_TEAM),
  manager: row({ own: ALLOW, teammate: ALLOW, "other-team": ALLOW, unowned: CLAIM, pool: CLAIM }, NOT_TEAM),
  admin: row({ own: ALLOW, teammate: ALLOW, "other-team": ALLOW, unowned: CLAIM, pool: CLAIM }, { own: ALLOW, teammate: ALLOW, "other-team": ALLOW, unowned: CLAIM, pool: CLAIM }),
  bot,
  stranger: strangers,
};

/** Manager's decisions on an account (reassigning it, nudging its owner): managers of the stage's team, and admins. */
const MANAGE: Policy = {
  rep: row(everywhere(MANAGERS), NOT_TEAM),
  manager: row(everywhere(ALLOW), NOT_TEAM),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/** Skipping a checklist with a written reason: managers of the stage's team, and admins. */
const OVERRIDE: Policy = {
  rep: row(everywhere({ deny: "override-not-manager" }), NOT_TEAM),
  manager: row(everywhere(ALLOW), NOT_TEAM),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/** Taking an account from the pool: members of the team the stage assigns to, only while it waits there, under the pool's rules. */
const CLAIMING: Policy = {
  rep: row({ own: NOT_IN_POOL, teammate: NOT_IN_POOL, "other-team": NOT_IN_POOL, unowned: NOT_IN_POOL, pool: CLAIM }, NOT_TEAM),
  manager: row({ own: NOT_IN_POOL, teammate: NOT_IN_POOL, "other-team": NOT_IN_POOL, unowned: NOT_IN_POOL, pool: CLAIM }, NOT_TEAM),
  admin: row({ own: NOT_IN_POOL, teammate: NOT_IN_POOL, "other-team": NOT_IN_POOL, unowned: NOT_IN_POOL, pool: CLAIM }, { own: NOT_IN_POOL, teammate: NOT_IN_POOL, "other-team": NOT_IN_POOL, unowned: NOT_IN_POOL, pool: CLAIM }),
  bot: notBot,
  stranger: strangers,
};

/**
 * Reads open to every member: any account (`lead show`), the pool, any team's funnel and digest. The funnel is
 * one company's; hiding a team's numbers from another would only make the hand-offs between them harder.
 * Strangers read nothing.
 */
const READ: Policy = {
  rep: row(everywhere(ALLOW), ALLOW),
  manager: row(everywhere(ALLOW), ALLOW),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/** Creating a lead: the teams that act on the playbook's first stage (marketing), and admins. */
const CREATE: Policy = {
  rep: row(everywhere(ALLOW), NOT_TEAM),
  manager: row(everywhere(ALLOW), NOT_TEAM),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/** Closing a task: its assignee; a manager of the task's team; an admin. A task belongs to its assignee's team. */
const TASK: Policy = {
  rep: row({ own: ALLOW, teammate: NOT_OWNER, "other-team": NOT_OWNER, unowned: MANAGERS, pool: MANAGERS }, NOT_TEAM),
  manager: row(everywhere(ALLOW), NOT_TEAM),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/**
 * Managing people (`/funnel member add`): team is the team of the member today and the team they are put in
 * (both must be the manager's own); ownership is who the member is: the asker themself ("own"), a rep or
 * manager ("teammate"), an admin ("other-team"), or someone new ("unowned"). Only an admin touches an admin,
 * and nobody changes their own role; the last admin is kept by {@link mayChangeMember}.
 */
const PEOPLE: Policy = {
  rep: row(everywhere(MANAGERS), MANAGERS),
  manager: row({ own: ADMINS, teammate: ALLOW, "other-team": ADMINS, unowned: ALLOW, pool: ADMINS }, { own: ADMINS, teammate: OWN_TEAM, "other-team": ADMINS, unowned: OWN_TEAM, pool: ADMINS }),
  admin: row({ own: ADMINS, teammate: ALLOW, "other-team": ALLOW, unowned: ALLOW, pool: ALLOW }, { own: ADMINS, teammate: ALLOW, "other-team": ALLOW, unowned: ALLOW, pool: ALLOW }),
  bot: notBot,
  stranger: strangers,
};

/**
 * Recording marketing spend (`/funnel spend`): managers of the team that owns the funnel's first stage
 * (marketing), and admins. Spend is nobody's account, so ownership does not matter.
 */
const SPEND: Policy = {
  rep: row(everywhere(MANAGERS), NOT_TEAM),
  manager: row(everywhere(ALLOW), NOT_TEAM),
  admin: row(everywhere(ALLOW), ALLOW),
  bot: notBot,
  stranger: strangers,
};

/** The permission table: one policy per capability. */
export const PERMISSIONS: Readonly<Record<Capability, Policy>> = {
  handoff: WORK, accept: WORK, return: WORK, disqualify: WORK, qualify: WORK, validate: WORK, "validate-pass": WORK, "validate-fail": WORK,
  sign: WORK, advance: WORK, lose: WORK, churn: WORK, winback: WORK, archive: WORK, recycle: WORK, renew: WORK, "next-step": WORK,
  reassign: MANAGE, nudge: MANAGE, override: OVERRIDE, claim: CLAIMING,
  show: READ, mine: READ, pool: READ, tasks: READ, funnel: READ, digest: READ,
  create: CREATE, "complete-task": TASK, "manage-member": PEOPLE, "record-spend": SPEND,
};

/** The one answer of the table for this capability, asker, team relation and ownership. */
export function permission(capability: Capability, asker: Asker, team: TeamRelation, ownership: Ownership): Answer {
  return PERMISSIONS[capability][asker][team][ownership];
}

/** The table's answer as a result: `allow` and `claim` pass (the caller carries out the claim), a denial fails. */
export function check(capability: Capability, asker: Asker, team: TeamRelation, ownership: Ownership, details: Record<string, unknown> = {}): Result<"allow" | "claim"> {
  const answer = permission(capability, asker, team, ownership);
  if (answer === "allow" || answer === "claim") return ok(answer);
  return err(answer.deny, { ...details, ...(answer.needs ? { needs: answer.needs } : {}) });
}

/** The team relation of an actor to a stage: own when the actor's team is among the stage's teams. */
export function stageRelation(actor: Actor, stage: Stage): TeamRelation {
  return stage.teams.includes(actor.teamKey) ? "own" : "other";
}

/** Who holds an account, from the actor's side; `pooled` says whether the stage's unowned accounts wait in the pool. */
export function ownershipOf(actor: Actor, owner: OwnerInfo | null, pooled: boolean): Ownership {
  if (owner === null) return pooled ? "pool" : "unowned";
  if (owner.id === actor.id) return "own";
  return owner.teamKey === actor.teamKey ? "teammate" : "other-team";
}

/**
 * May `actor` use `capability` on an account in `stage` held by `owner`? The table decides; the details of a
 * refusal name the owner, or the teams that do act on the stage.
 */
export function mayAct(actor: Actor, capability: Capability, stage: Stage, owner: OwnerInfo | null, pooled: boolean): Result<"allow" | "claim"> {
  const team = stageRelation(actor, stage);
  const details = team === "other" ? { team: actor.teamKey, stage: stage.code, teams: stage.teams } : { owner: owner?.displayName ?? null, company: null };
  return check(capability, askerOf(actor), team, ownershipOf(actor, owner, pooled), details);
}

/** The table's row for an actor: the bot, or the member's role. */
export function askerOf(actor: Actor): Asker {
  return actor.bot ? "bot" : actor.role;
}

/** A member as member management sees them. */
export interface MemberFacts {
  readonly id: number;
  readonly teamKey: string;
  readonly role: Role;
}

/**
 * May `actor` put `target` (null: someone new) in `team` with `role`? A manager changes only reps and managers of
 * their own team, into their own team, never into admin; nobody but an admin touches an admin; nobody changes
 * their own role; and the last admin stays an admin (`admins` counts the active ones today).
 */
export function mayChangeMember(actor: Actor, target: MemberFacts | null, change: { readonly teamKey: string; readonly role: Role }, admins: number): Result<void> {
  const ownership: Ownership = target === null ? "unowned" : target.id === actor.id ? "own" : target.role === "admin" ? "other-team" : "teammate";
  const sameTeam = change.teamKey === actor.teamKey && (target === null || target.teamKey === actor.teamKey);
  const answer = check("manage-member", askerOf(actor), sameTeam ? "own" : "other", ownership, { team: change.teamKey });
  if (!answer.ok) return answer;
  if (change.role === "admin" && actor.role !== "admin") return err("forbidden", { needs: "admin" });
  if (target?.role === "admin" && change.role !== "admin" && admins <= 1) return err("last-admin", {});
  return ok(undefined);
}

/**
 * May `actor` answer a request for access at all (ignore it; granting also goes through {@link mayChangeMember})?
 * Whoever may add a newcomer to their own team: managers and admins.
 */
export function mayAnswerAccess(actor: Actor): Result<void> {
  const answer = check("manage-member", askerOf(actor), "own", "unowned");
  return answer.ok ? ok(undefined) : answer;
}

/**
 * May `actor` remove `target` (deactivate them, handing their work on)? The same rules as changing them, and
 * neither the last admin nor a team's last manager leaves: `admins` counts the active admins, `managers` the
 * active managers of the target's team.
 */
export function mayRemoveMember(actor: Actor, target: MemberFacts, counts: { readonly admins: number; readonly managers: number }): Result<void> {
  const allowed = mayChangeMember(actor, target, { teamKey: target.teamKey, role: target.role }, counts.admins);
  if (!allowed.ok) return allowed;
  if (target.role === "admin" && counts.admins <= 1) return err("last-admin", {});
  if (target.role === "manager" && counts.managers <= 1) return err("last-manager", { team: target.teamKey });
  return ok(undefined);
}

/**
 * May `actor` close this task? A task belongs to its assignee's team (an unassigned one to the team of its
 * account's stage): its assignee closes it, or a manager of that team, or an admin.
 */
export function mayCompleteTask(
  playbook: Playbook, actor: Actor,
  task: { readonly assigneeId: number | null; readonly assigneeTeam: string | null; readonly assigneeName: string | null; readonly stage: string },
): Result<"allow" | "claim"> {
  const team = task.assigneeTeam ?? stageOf(playbook, task.stage)?.teams[0] ?? null;
  const ownership: Ownership = task.assigneeId === null ? "unowned" : task.assigneeId === actor.id ? "own" : task.assigneeTeam === actor.teamKey ? "teammate" : "other-team";
  const relation: TeamRelation = team === actor.teamKey || task.assigneeId === actor.id ? "own" : "other";
  const details = relation === "other" ? { team: actor.teamKey, stage: task.stage, teams: team ? [team] : [] } : { owner: task.assigneeName };
  return check("complete-task", askerOf(actor), relation, ownership, details);
}

/** May `actor` record marketing spend? Their team is "own" when it acts on the playbook's first stage. */
export function mayRecordSpend(playbook: Playbook, actor: Actor): Result<"allow" | "claim"> {
  const first = stageOf(playbook, playbook.initialStage);
  const relation: TeamRelation = first?.teams.includes(actor.teamKey) ? "own" : "other";
  return check("record-spend", askerOf(actor), relation, "unowned", { team: actor.teamKey, stage: playbook.initialStage, teams: first?.teams ?? [] });
}

/** Managers and admins may skip a checklist, reassign accounts and see every team's funnel. */
export function isManager(actor: Actor): boolean {
  return actor.role === "manager" || actor.role === "admin";
}
