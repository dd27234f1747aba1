import { t } from "../commands/i18n.js";
import { renderError, say } from "../commands/render-reply.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { fail } from "../domain/errors.js";
import { mayCompleteTask } from "../domain/permissions.js";
import { completeTask as closeTask, findOpenTask } from "../store/tasks.js";
import type { ServiceContext } from "./context.js";

/** `/account done <task>`: the assignee, a manager of the task's team or an admin closes an open task. */
export async function completeTask(ctx: ServiceContext, actor: Actor, taskId: number): Promise<Reply> {
  const locale = actor.locale;
  const refuse = (error: ReturnType<typeof fail>) => renderError(error, locale, ctx.playbook);
  const task = await findOpenTask(ctx.db, taskId);
  if (!task) return refuse(fail("task-not-found", { task: taskId }));
  const allowed = mayCompleteTask(ctx.playbook, actor, task);
  if (!allowed.ok) return refuse(allowed.error);
  const done = await closeTask(ctx.db, task.id, actor.id, ctx.clock());
  return done ? say(t(locale, "tasks.done", { task: taskId })) : refuse(fail("task-not-found", { task: taskId }));
}
