import type { Playbook, Routing, RoutingRule, Stage } from "./playbook.js";

/** A member who can be given leads. */
export interface Assignee {
  readonly id: number;
  readonly displayName: string;
  readonly away: boolean;
  /** False for a member who left: never given anything again. Unset counts as active. */
  readonly active?: boolean;
}

/** Whether a member may be given an account now: still a member, and not away. */
export function available(member: Assignee): boolean {
  return !member.away && member.active !== false;
}

/**
 * Round robin within a team: the first available member after the one who got the last lead, wrapping
 * around; members marked away, and those who left, are skipped. Null when nobody is available.
 */
export function pickRoundRobin<T extends Assignee>(members: readonly T[], lastAssignedId: number | null): T | null {
  const free = members.filter(available).sort((a, b) => a.id - b.id);
  if (free.length === 0) return null;
  return free.find((m) => lastAssignedId === null || m.id > lastAssignedId) ?? free[0]!;
}

/** The facts routing rules read from a lead. */
export interface RoutedLead {
  readonly region: string | null;
  readonly industry: string | null;
  readonly size: number | null;
}

function listed(values: readonly string[] | undefined, value: string | null): boolean {
  if (values === undefined) return true;
  return value !== null && values.some((v) => v.toLowerCase() === value.toLowerCase());
}

/** Whether a lead meets every condition a rule gives. */
export function ruleMatches(rule: RoutingRule, lead: RoutedLead): boolean {
  const sized = (rule.minSize === undefined && rule.maxSize === undefined) ||
    (lead.size !== null && lead.size >= (rule.minSize ?? 0) && lead.size <= (rule.maxSize ?? Infinity));
  return listed(rule.region, lead.region) && listed(rule.industry, lead.industry) && sized;
}

/**
 * The reps a lead may go to: those of the first matching rule with someone available, or the whole team
 * when no rule matches (or every rep a rule names is away), so a lead is never stuck behind a rule.
 */
export function routeCandidates<T extends Assignee & { readonly handle: string }>(rules: readonly RoutingRule[], lead: RoutedLead, members: readonly T[]): T[] {
  for (const rule of rules) {
    if (!ruleMatches(rule, lead)) continue;
    const named = members.filter((m) => rule.reps.includes(m.handle));
    if (named.some(available)) return named;
  }
  return [...members];
}

/** When a rep who let an account go may have it again; null when they may now. */
export function cooldownUntil(releases: readonly { readonly repId: number; readonly at: Date }[], repId: number, cooldownDays: number, now: Date): Date | null {
  const last = releases.filter((r) => r.repId === repId).reduce<Date | null>((latest, r) => (latest === null || r.at > latest ? r.at : latest), null);
  if (last === null) return null;
  const until = new Date(last.getTime() + cooldownDays * 86_400_000);
  return until > now ? until : null;
}

/** A member who may be given an account, as routing reads them. */
export interface Candidate extends Assignee {
  readonly handle: string;
  readonly role: string;
  readonly teamKey: string;
  readonly locale: string;
}

/** A release of an account from a rep (the pool's cool-down starts then). */
export interface Release {
  readonly repId: number;
  readonly at: Date;
}

/**
 * What assigning an account to a team needs, read before deciding: the team's members, whose turn it was,
 * the account's releases (cool-downs) and the lead's facts for the playbook's routing rules.
 */
export interface RoutingFacts {
  readonly team: string;
  readonly members: readonly Candidate[];
  readonly lastAssignedId: number | null;
  readonly releases: readonly Release[];
  readonly lead: RoutedLead | null;
}

/**
 * The rep of a team whose turn it is, or null when nobody is available: routing rules narrow the team to
 * the reps for the lead's region, industry or size, then round robin picks, skipping those away, those in
 * `exclude` and those still cooling down after letting this account go.
 */
export function chooseRep(routing: Routing, facts: RoutingFacts, now: Date, exclude: readonly number[] = []): Candidate | null {
  const reps = facts.members.filter((m) => m.role === "rep" && !exclude.includes(m.id) && cooldownUntil(facts.releases, m.id, routing.cooldownDays, now) === null);
  return pickRoundRobin(facts.lead && routing.rules.length > 0 ? routeCandidates(routing.rules, facts.lead, reps) : reps, facts.lastAssignedId);
}

/** What the pool's claim rules read: the account's releases and how many unaccepted accounts the claimer holds. */
export interface ClaimFacts {
  readonly releases: readonly Release[];
  readonly held: number;
}

/** Stages whose unowned accounts wait in the public pool (公海): handed to a team whose member must accept them. */
export function isPoolStage(playbook: Pick<Playbook, "transitions">, stage: Pick<Stage, "code" | "assignTo">): boolean {
  return stage.assignTo !== null && playbook.transitions.some((x) => x.from === stage.code && x.verb === "accept");
}
