import type { StallRule } from "../domain/stalled.js";
import type { Database } from "./database.js";

/** A stalled account as the digest lists it. */
export interface StalledAccount {
  readonly id: number;
  readonly company: string;
  readonly stage: string;
  readonly ownerName: string | null;
  readonly stageEnteredAt: Date;
  readonly lastActivityAt: Date;
  readonly nextStepAt: Date | null;
  readonly nextStepNote: string | null;
}

/**
 * Stalled accounts per stage rule, computed in the database on the (stage, stageEnteredAt) and
 * (stage, lastActivityAt) indexes: how many there are, and the `perStage` longest-waiting of each.
 * A next step scheduled after `now` keeps an account off the list until its date passes.
 */
export async function stalledAccounts(
  db: Database, rules: readonly StallRule[], now: Date, perStage = 30,
): Promise<{ accounts: StalledAccount[]; counts: Map<string, number> }> {
  const counts = new Map<string, number>();
  const accounts: StalledAccount[] = [];
  await Promise.all(rules.map(async (rule) => {
    const late = [
      ...(rule.enteredBefore ? [{ stageEnteredAt: { lte: rule.enteredBefore } }] : []),
      ...(rule.idleBefore ? [{ lastActivityAt: { lte: rule.idleBefore } }] : []),
    ];
    if (late.length === 0) return;
    const where = { stage: rule.stage, OR: late, AND: [{ OR: [{ nextStepAt: null }, { nextStepAt: { lte: now } }] }] };
    const rows = await db.prisma.account.findMany({
      where, take: perStage, orderBy: [{ stageEnteredAt: "asc" }, { id: "asc" }],
      select: { id: true, company: true, stage: true, stageEnteredAt: true, lastActivityAt: true, nextStepAt: true, nextStepNote: true, owner: { select: { displayName: true } } },
    });
    // A short list is the whole list; only a full one needs counting.
    counts.set(rule.stage, rows.length < perStage ? rows.length : await db.prisma.account.count({ where }));
    for (const { owner, ...row } of rows) accounts.push({ ...row, ownerName: owner?.displayName ?? null });
  }));
  return { accounts, counts };
}
