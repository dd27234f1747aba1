import { t } from "../commands/i18n.js";
import { say } from "../commands/render-reply.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { openTasks } from "../store/tasks.js";
import type { ServiceContext } from "./context.js";

/** `/account tasks`: the member's open tasks, each with a [Done] button. */
export async function myTasks(ctx: ServiceContext, actor: Actor): Promise<Reply> {
  const locale = actor.locale;
  const tasks = await openTasks(ctx.db, actor.id);
  if (tasks.length === 0) return say(t(locale, "tasks.empty"));
  const title = t(locale, "tasks.title", { count: tasks.length });
  return {
    text: [title, ...tasks.map((x) => `#${x.id} ${x.company}: ${x.title}`)].join("\n"),
    ephemeral: true,
    blocks: [
      { kind: "heading", text: title },
      ...tasks.slice(0, 20).flatMap((x) => [
        { kind: "text" as const, text: `#${x.id} ${x.company}: ${x.title}${x.dueAt ? ` (${x.dueAt.toISOString().slice(0, 10)})` : ""}` },
        { kind: "buttons" as const, buttons: [{ label: t(locale, "tasks.button"), command: `account done ${x.id}`, style: "primary" as const }] },
      ]),
    ],
  };
}
