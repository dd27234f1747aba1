import type { OutgoingMessage } from "../commands/reply.js";
import type { Database } from "./database.js";
import { outboxData } from "./outbox.js";

/** A to-do of a member. */
export interface TaskRecord {
  readonly id: number;
  readonly accountId: number;
  readonly company: string;
  readonly kind: string;
  readonly title: string;
  readonly dueAt: Date | null;
}

/** A member's open tasks, soonest due first. */
export async function openTasks(db: Database, assigneeId: number): Promise<TaskRecord[]> {
  const rows = await db.prisma.task.findMany({
    where: { assigneeId, doneAt: null },
    orderBy: [{ dueAt: "asc" }, { id: "asc" }],
    take: 100,
    select: { id: true, accountId: true, kind: true, title: true, dueAt: true },
  });
  const names = new Map((await db.prisma.account.findMany({ where: { id: { in: rows.map((r) => r.accountId) } }, select: { id: true, company: true } })).map((a) => [a.id, a.company]));
  return rows.map((r) => ({ ...r, company: names.get(r.accountId) ?? `#${r.accountId}` }));
}

/** A member's open tasks, as task ids by account id: what a hand-over must move. */
export async function openTaskIdsByAccount(db: Database, assigneeId: number): Promise<Map<number, number[]>> {
  const rows = await db.prisma.task.findMany({ where: { assigneeId, doneAt: null }, select: { id: true, accountId: true }, orderBy: { id: "asc" } });
  const byAccount = new Map<number, number[]>();
  for (const row of rows) byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row.id]);
  return byAccount;
}

/** An open task with what permissions read: who it is assigned to and their team, and the account's stage. */
export interface OpenTask {
  readonly id: number;
  readonly assigneeId: number | null;
  readonly assigneeTeam: string | null;
  readonly assigneeName: string | null;
  readonly stage: string;
}

/** An open task by id, or null when there is none (or it is done). */
export async function findOpenTask(db: Database, taskId: number): Promise<OpenTask | null> {
  if (!Number.isSafeInteger(taskId) || taskId <= 0 || taskId > 2_147_483_647) return null;
  const [row] = await db.prisma.$queryRaw<OpenTask[]>`
    SELECT t."id", t."assigneeId", m."teamKey" AS "assigneeTeam", m."displayName" AS "assigneeName", a."stage"
    FROM "Task" t JOIN "Account" a ON a."id" = t."accountId" LEFT JOIN "Member" m ON m."id" = t."assigneeId"
    WHERE t."id" = ${taskId} AND t."doneAt" IS NULL`;
  return row ?? null;
}

/** Marks a task done once; false when it is done already (by someone quicker). */
export async function completeTask(db: Database, taskId: number, memberId: number, at: Date): Promise<boolean> {
  const { count } = await db.prisma.task.updateMany({ where: { id: taskId, doneAt: null }, data: { doneAt: at, doneById: memberId } });
  return count === 1;
}

/** Creates a task unless the account already has one of that kind (automations run more than once). */
export async function ensureTask(db: Database, task: { accountId: number; assigneeId: number | null; kind: string; title: string; dueAt: Date | null; at: Date }): Promise<boolean> {
  const existing = await db.prisma.task.findUnique({ where: { accountId_kind: { accountId: task.accountId, kind: task.kind } }, select: { id: true } });
  if (existing) return false;
  await db.prisma.task.create({ data: { accountId: task.accountId, assigneeId: task.assigneeId, kind: task.kind, title: task.title, dueAt: task.dueAt, createdAt: task.at } });
  return true;
}

/**
 * Creates a task and queues the messages announcing it (which name its id, for a [Done] button) in one
 * transaction. Null when the account already has a task of that kind, however many replicas tried at once:
 * the unique (accountId, kind) decides, and the losers queue nothing.
 */
export async function createTaskWithMessages(
  db: Database,
  task: { accountId: number; assigneeId: number | null; kind: string; title: string; dueAt: Date | null; at: Date },
  messages: (taskId: number) => readonly OutgoingMessage[],
): Promise<number | null> {
  try {
    let queued = false;
    const created = await db.prisma.$transaction(async (tx) => {
      const { id } = await tx.task.create({
        data: { accountId: task.accountId, assigneeId: task.assigneeId, kind: task.kind, title: task.title, dueAt: task.dueAt, createdAt: task.at },
        select: { id: true },
      });
      const rows = outboxData(messages(id), task.at);
      if (rows.length > 0) await tx.outboxMessage.createMany({ data: rows });
      queued = rows.length > 0;
      return id;
    });
    if (queued) db.queued.notify();
    return created;
  } catch (error) {
    // P2002: unique constraint; both generated clients raise it with this code.
    if ((error as { code?: unknown } | null)?.code === "P2002") return null;
    throw error;
  }
}

/** Which of these accounts already have a task of this kind (open or done). */
export async function accountsWithTask(db: Database, accountIds: readonly number[], kind: string): Promise<Set<number>> {
  if (accountIds.length === 0) return new Set();
  const rows = await db.prisma.task.findMany({ where: { kind, accountId: { in: [...accountIds] } }, select: { accountId: true } });
  return new Set(rows.map((r) => r.accountId));
}
