import type { Database } from "./database.js";

/** How many accounts sit in each stage, their amount, and their mean time in stage so far. */
export interface StageCount {
  readonly stage: string;
  readonly count: number;
  readonly amount: number;
  readonly oldestEnteredAt: Date | null;
  readonly meanEnteredAtMs: number | null;
}

/** Counts by stage, optionally only for accounts owned by members of a team, computed in the database. */
export async function countByStage(db: Database, ownerTeam: string | null): Promise<StageCount[]> {
  const ownerIds = ownerTeam === null ? undefined : (await db.prisma.member.findMany({ where: { teamKey: ownerTeam }, select: { id: true } })).map((m) => m.id);
  const rows = await db.prisma.account.groupBy({
    by: ["stage"],
    where: ownerIds ? { ownerId: { in: ownerIds } } : {},
    _count: { _all: true },
    _sum: { amount: true },
    _min: { stageEnteredAt: true },
  });
  return rows.map((r) => ({ stage: r.stage, count: r._count._all, amount: r._sum.amount ?? 0, oldestEnteredAt: r._min.stageEnteredAt, meanEnteredAtMs: null }));
}

/** Mean days spent in each stage over the transitions that left it (from the audit trail, not counters). */
export async function meanDaysInStage(db: Database, since: Date): Promise<Map<string, { days: number; moves: number }>> {
  // Each transition leaving a stage is paired with the event that entered it (the latest one before it).
  const rows = await db.prisma.stageEvent.findMany({
    where: { at: { gte: since }, OR: [{ kind: "transition" }, { kind: "created" }] },
    select: { accountId: true, fromStage: true, toStage: true, at: true, kind: true },
    orderBy: [{ accountId: "asc" }, { at: "asc" }, { id: "asc" }],
    take: 200_000,
  });
  const entered = new Map<number, Date>();
  const totals = new Map<string, { days: number; moves: number }>();
  for (const row of rows) {
    const since = entered.get(row.accountId);
    if (row.kind === "transition" && row.fromStage && since) {
      const total = totals.get(row.fromStage) ?? { days: 0, moves: 0 };
      total.days += (row.at.getTime() - since.getTime()) / 86_400_000;
      total.moves += 1;
      totals.set(row.fromStage, total);
    }
    entered.set(row.accountId, row.at);
  }
  return totals;
}
