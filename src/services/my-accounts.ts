import { t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import { say } from "../commands/render-reply.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { stageCalendar } from "../domain/calendar.js";
import { isClosed, stageOf } from "../domain/playbook.js";
import { stalledCutoff } from "../domain/stalled.js";
import { accountsOwnedBy } from "../store/accounts.js";
import type { ServiceContext } from "./context.js";

/**
 * `lead mine`, and Slack's App Home: the member's open accounts, overdue first, then in funnel order. Open means a
 * stage somebody works against a clock (an SLA or an idle limit) that the playbook does not call closed.
 */
export async function myAccounts(ctx: ServiceContext, actor: Actor): Promise<Reply> {
  const locale = actor.locale;
  const open = ctx.playbook.stages.filter((s) => !isClosed(ctx.playbook, s.code) && (s.sla || s.idleDays)).map((s) => s.code);
  const accounts = await accountsOwnedBy(ctx.db, actor.id, open);
  if (accounts.length === 0) return say(t(locale, "mine.empty"));
  const now = ctx.clock();
  // One SLA cut-off per stage (the inverse of each account's deadline), on the calendar of the team that owns it.
  const cutoffs = new Map(open.map((code) => {
    const sla = stageOf(ctx.playbook, code)?.sla ?? null;
    return [code, sla ? stalledCutoff(stageCalendar(ctx.calendars, ctx.playbook, code), sla, now).getTime() : null];
  }));
  const overdue = (a: (typeof accounts)[number]) => {
    const cutoff = cutoffs.get(a.stage);
    return cutoff != null && a.stageEnteredAt.getTime() <= cutoff;
  };
  // Overdue first, then by stage order, so the list reads as a to-do.
  const order = new Map(ctx.playbook.stages.map((s, i) => [s.code, i]));
  const sorted = [...accounts].sort((a, b) => Number(overdue(b)) - Number(overdue(a)) || (order.get(a.stage) ?? 0) - (order.get(b.stage) ?? 0));
  const lines = sorted.map((a) => `#${a.id} ${a.company} — ${stageName(ctx.playbook, a.stage, locale)}${overdue(a) ? ` ⏰ ${t(locale, "mine.overdue")}` : ""}`);
  const title = t(locale, "mine.title", { count: accounts.length });
  return { text: [title, ...lines].join("\n"), ephemeral: true, blocks: [{ kind: "heading", text: title }, { kind: "list", items: lines.slice(0, 40), more: Math.max(0, lines.length - 40) }] };
}
