import type { StallRule } from "../domain/stalled.js";
import type { Database } from "./database.js";
import { Prisma as P } from "./generated/sqlite/client.js";

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
  readonly amount: number;
  readonly currency: string;
}

interface StalledRow {
  id: number | bigint;
  company: string;
  stage: string;
  ownerName: string | null;
  stageEnteredAt: Date | string | number;
  lastActivityAt: Date | string | number;
  nextStepAt: Date | string | number | null;
  nextStepNote: string | null;
  amount: number | bigint;
  currency: string;
  total: number | bigint;
}

/**
 * Stalled accounts per stage rule, computed in the database on the (stage, stageEnteredAt) and
 * (stage, lastActivityAt) indexes: how many there are, and the `perStage` longest-waiting of each with
 * their owner. A next step scheduled after `now` keeps an account off the list until its date passes.
 * One statement for every rule (a UNION ALL of one index-ordered branch per stage): a query per stage,
 * its count and its owners cost the digests twice the database's own time in round trips.
 */
export async function stalledAccounts(
  db: Database, rules: readonly StallRule[], now: Date, perStage = 30,
): Promise<{ accounts: StalledAccount[]; counts: Map<string, number> }> {
  const live = rules.filter((rule) => rule.enteredBefore || rule.idleBefore);
  const counts = new Map(live.map((rule) => [rule.stage, 0]));
  if (live.length === 0) return { accounts: [], counts };
  const branches = live.map((rule) => {
    const late = [
      ...(rule.enteredBefore ? [P.sql`a."stageEnteredAt" <= ${rule.enteredBefore}`] : []),
      ...(rule.idleBefore ? [P.sql`a."lastActivityAt" <= ${rule.idleBefore}`] : []),
    ];
    const where = P.sql`a."stage" = ${rule.stage} AND (${P.join(late, " OR ")}) AND (a."nextStepAt" IS NULL OR a."nextStepAt" <= ${now})`;
    return P.sql`SELECT b.*, m."displayName" AS "ownerName", (SELECT COUNT(*) FROM "Account" a WHERE ${where}) AS "total"
      FROM (
        SELECT a."id", a."company", a."stage", a."stageEnteredAt", a."lastActivityAt", a."nextStepAt", a."nextStepNote", a."ownerId", a."amount", a."currency"
        FROM "Account" a WHERE ${where} ORDER BY a."stageEnteredAt", a."id" LIMIT ${perStage}
      ) b LEFT JOIN "Member" m ON m."id" = b."ownerId"`;
  });
  const rows = await db.prisma.$queryRaw<StalledRow[]>(P.join(branches, " UNION ALL "));
  const accounts = rows.map((row): StalledAccount => {
    counts.set(row.stage, Number(row.total));
    return {
      id: Number(row.id), company: row.company, stage: row.stage, ownerName: row.ownerName,
      stageEnteredAt: asDate(row.stageEnteredAt), lastActivityAt: asDate(row.lastActivityAt),
      nextStepAt: row.nextStepAt === null ? null : asDate(row.nextStepAt), nextStepNote: row.nextStepNote,
      amount: Number(row.amount), currency: row.currency,
    };
  });
  return { accounts, counts };
}

/** Raw rows carry DateTime columns as the driver reads them: a Date, or SQLite's ISO text. */
function asDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}
