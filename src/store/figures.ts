import type { ActorMove, MovedAmount, OwnerStage, SourceReach, SourceWins, Span, Spend, StageAmount } from "../domain/figures.js";
import type { StallRule } from "../domain/stalled.js";
import type { Database } from "./database.js";
import { Prisma as P } from "./generated/sqlite/client.js";

type Num = number | bigint;

/**
 * Which of the spans an event's time falls in, as a CASE over their edges: portable between SQLite and
 * PostgreSQL (no date arithmetic), and one statement however many spans. The spans must be contiguous,
 * oldest first; the caller's WHERE keeps events outside them out.
 */
function bucketOf(column: P.Sql, spans: readonly Span[]): P.Sql {
  return P.sql`CASE ${P.join(spans.map((s, i) => P.sql`WHEN ${column} < ${s.until} THEN ${i}`), " ")} END`;
}

/**
 * The spans between every edge of `spans` (which may overlap or leave gaps), oldest first, and for each span
 * the indexes of those pieces that make it up: one scan counts the pieces, each span sums its own.
 */
function pieces(spans: readonly Span[]): { pieces: Span[]; parts: number[][] } {
  const edges = [...new Set(spans.flatMap((s) => [s.from.getTime(), s.until.getTime()]))].sort((a, b) => a - b);
  const list = edges.slice(1).map((until, i) => ({ from: new Date(edges[i]!), until: new Date(until) }));
  const parts = spans.map((s) => list.flatMap((p, i) => (p.from >= s.from && p.until <= s.until ? [i] : [])));
  return { pieces: list, parts };
}

/**
 * Transition counts by span, actor, from and to: conversion per period and per week, and each rep's moves.
 * One grouped statement over the pieces between all the spans' edges (the period, the one before and the
 * weeks of the trend share one scan of the covering index), each span then summing its pieces' counts.
 */
export async function movesBySpan(db: Database, spans: readonly Span[]): Promise<(ActorMove & { span: number })[]> {
  if (spans.length === 0) return [];
  const { pieces: list, parts } = pieces(spans);
  const at = P.sql`e."at"`;
  const rows = await db.prisma.$queryRaw<{ piece: Num; actorId: Num | null; fromStage: string; toStage: string; n: Num }[]>`
    SELECT ${bucketOf(at, list)} AS piece, e."actorId" AS "actorId", e."fromStage" AS "fromStage", e."toStage" AS "toStage", COUNT(*) AS n
    FROM "StageEvent" e
    WHERE e."kind" = 'transition' AND e."at" >= ${list[0]!.from} AND e."at" < ${list.at(-1)!.until}
      AND e."fromStage" IS NOT NULL AND e."toStage" IS NOT NULL
    GROUP BY 1, e."actorId", e."fromStage", e."toStage"`;
  const byPiece = new Map<number, typeof rows>();
  for (const r of rows) {
    const piece = Number(r.piece);
    if (!byPiece.has(piece)) byPiece.set(piece, []);
    byPiece.get(piece)!.push(r);
  }
  return parts.flatMap((ids, span) => {
    const sums = new Map<string, ActorMove & { span: number }>();
    for (const r of ids.flatMap((i) => byPiece.get(i) ?? [])) {
      const actorId = r.actorId === null ? 0 : Number(r.actorId);
      const key = `${actorId}\u0000${r.fromStage}\u0000${r.toStage}`;
      sums.set(key, { span, actorId, from: r.fromStage, to: r.toStage, count: (sums.get(key)?.count ?? 0) + Number(r.n) });
    }
    return [...sums.values()];
  });
}

/** Open accounts per owner and stage, with their amount, over the stages given. */
export async function pipelineByOwner(db: Database, stages: readonly string[]): Promise<OwnerStage[]> {
  const rows = await db.prisma.account.groupBy({
    by: ["ownerId", "stage"], where: { stage: { in: [...stages] }, ownerId: { not: null } }, _count: { _all: true }, _sum: { amount: true },
  });
  return rows.map((r) => ({ ownerId: r.ownerId!, stage: r.stage, count: r._count._all, amount: r._sum.amount ?? 0 }));
}

/** Amount per stage and currency over the stages given (the forecast's). */
export async function amountsByCurrency(db: Database, stages: readonly string[]): Promise<StageAmount[]> {
  if (stages.length === 0) return [];
  const rows = await db.prisma.account.groupBy({ by: ["stage", "currency"], where: { stage: { in: [...stages] } }, _sum: { amount: true } });
  return rows.map((r) => ({ stage: r.stage, currency: r.currency, amount: r._sum.amount ?? 0 }));
}

/** The amount (today's) of the accounts each move of a span carried into or out of `stages`, by from, to and currency. */
export async function movedAmounts(db: Database, span: Span, stages: readonly string[]): Promise<MovedAmount[]> {
  if (stages.length === 0) return [];
  const list = P.join([...stages]);
  const rows = await db.prisma.$queryRaw<{ fromStage: string; toStage: string; currency: string; amount: Num | null }[]>`
    SELECT e."fromStage" AS "fromStage", e."toStage" AS "toStage", a."currency" AS currency, SUM(a."amount") AS amount
    FROM "StageEvent" e JOIN "Account" a ON a."id" = e."accountId"
    WHERE e."kind" = 'transition' AND e."at" >= ${span.from} AND e."at" < ${span.until}
      AND (e."fromStage" IN (${list}) OR e."toStage" IN (${list}))
    GROUP BY e."fromStage", e."toStage", a."currency"`;
  return rows.map((r) => ({ from: r.fromStage, to: r.toStage, currency: r.currency, amount: Number(r.amount ?? 0) }));
}

/**
 * For the accounts created in each span (their `created` event), by source: how many ever entered each of
 * `stages`. A cohort, so a channel's rates compare like with like.
 */
export async function reachBySpan(db: Database, spans: readonly Span[], stages: readonly string[]): Promise<(SourceReach & { span: number })[]> {
  if (spans.length === 0 || stages.length === 0) return [];
  const rows = await db.prisma.$queryRaw<{ span: Num; source: string | null; stage: string; n: Num }[]>`
    SELECT ${bucketOf(P.sql`c."at"`, spans)} AS span, a."source" AS source, e."toStage" AS stage, COUNT(DISTINCT e."accountId") AS n
    FROM "StageEvent" c
      JOIN "Account" a ON a."id" = c."accountId"
      JOIN "StageEvent" e ON e."accountId" = c."accountId"
    WHERE c."kind" = 'created' AND c."at" >= ${spans[0]!.from} AND c."at" < ${spans.at(-1)!.until}
      AND (e."kind" = 'transition' OR e."kind" = 'created') AND e."toStage" IN (${P.join([...stages])})
    GROUP BY 1, a."source", e."toStage"`;
  return rows.map((r) => ({ span: Number(r.span), source: r.source, stage: r.stage, accounts: Number(r.n) }));
}

/**
 * Customers won in `span` by source: accounts that moved from a stage outside `customer` into one of
 * them, and their amount to date (the amount signed, which renewals and expansions add to).
 */
export async function winsBySource(db: Database, span: Span, customer: readonly string[]): Promise<SourceWins[]> {
  if (customer.length === 0) return [];
  const list = P.join([...customer]);
  const rows = await db.prisma.$queryRaw<{ source: string | null; customers: Num; amount: Num | null }[]>`
    SELECT a."source" AS source, COUNT(*) AS customers, SUM(a."amount") AS amount
    FROM "Account" a
    WHERE a."id" IN (
      SELECT e."accountId" FROM "StageEvent" e
      WHERE e."kind" = 'transition' AND e."at" >= ${span.from} AND e."at" < ${span.until}
        AND e."toStage" IN (${list}) AND e."fromStage" NOT IN (${list})
    )
    GROUP BY a."source"`;
  return rows.map((r) => ({ source: r.source, customers: Number(r.customers), amount: Number(r.amount ?? 0) }));
}

/** How many accounts of each owner are stalled in each stage under `rules` (a next step still ahead holds one off). */
export async function overdueByOwner(db: Database, rules: readonly StallRule[], now: Date): Promise<{ ownerId: number; stage: string; count: number }[]> {
  const live = rules.filter((rule) => rule.enteredBefore || rule.idleBefore);
  if (live.length === 0) return [];
  const conditions = live.map((rule) => {
    const late = [
      ...(rule.enteredBefore ? [P.sql`a."stageEnteredAt" <= ${rule.enteredBefore}`] : []),
      ...(rule.idleBefore ? [P.sql`a."lastActivityAt" <= ${rule.idleBefore}`] : []),
    ];
    return P.sql`(a."stage" = ${rule.stage} AND (${P.join(late, " OR ")}))`;
  });
  const rows = await db.prisma.$queryRaw<{ ownerId: Num; stage: string; n: Num }[]>`
    SELECT a."ownerId" AS "ownerId", a."stage" AS stage, COUNT(*) AS n FROM "Account" a
    WHERE a."ownerId" IS NOT NULL AND (${P.join(conditions, " OR ")}) AND (a."nextStepAt" IS NULL OR a."nextStepAt" <= ${now})
    GROUP BY a."ownerId", a."stage"`;
  return rows.map((r) => ({ ownerId: Number(r.ownerId), stage: r.stage, count: Number(r.n) }));
}

/** Records a month's spend on a channel; a later entry for the same channel and month replaces it in the figures. */
export async function recordSpend(db: Database, entry: Spend & { actorId: number | null; platform: string; at: Date }): Promise<void> {
  await db.prisma.spendEvent.create({ data: { channel: entry.channel, month: entry.month, amount: entry.amount, currency: entry.currency, actorId: entry.actorId, platform: entry.platform, at: entry.at } });
}

/** The spend of each channel in each of `months`: the latest entry of each channel and month. */
export async function spendIn(db: Database, months: readonly string[]): Promise<Spend[]> {
  if (months.length === 0) return [];
  const rows = await db.prisma.spendEvent.findMany({
    where: { month: { in: [...months] } }, orderBy: { id: "asc" }, select: { channel: true, month: true, amount: true, currency: true },
  });
  // A month has a handful of channels: keeping the last entry of each here is cheaper than a correlated query.
  const latest = new Map(rows.map((r) => [`${r.channel}\u0000${r.month}`, r]));
  return [...latest.values()];
}

/** The source channels accounts came from. */
export async function knownSources(db: Database): Promise<string[]> {
  const rows = await db.prisma.account.groupBy({ by: ["source"], where: { source: { not: null } } });
  return rows.map((r) => r.source!).sort();
}
