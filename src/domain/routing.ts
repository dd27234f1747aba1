/** A member who can be given leads. */
export interface Assignee {
  readonly id: number;
  readonly displayName: string;
  readonly away: boolean;
}

/**
 * Round robin within a team: the first available member after the one who got the last lead, wrapping
 * around; members marked away are skipped. Null when nobody is available.
 */
export function pickRoundRobin<T extends Assignee>(members: readonly T[], lastAssignedId: number | null): T | null {
  const available = members.filter((m) => !m.away).sort((a, b) => a.id - b.id);
  if (available.length === 0) return null;
  return available.find((m) => lastAssignedId === null || m.id > lastAssignedId) ?? available[0]!;
}
