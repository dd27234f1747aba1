import type { AccountRef } from "../commands/command.js";
import { renderAccount, renderError } from "../commands/render-reply.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { stageCalendar } from "../domain/calendar.js";
import { accountHistory, latestBant } from "../store/accounts.js";
import { findLead } from "../store/leads.js";
import type { ServiceContext } from "./context.js";
import { leadScore } from "./lead-intake.js";
import { resolveAccount } from "./resolve-account.js";

/** `/lead show` and `/account show`: the account's facts, BANT answers, where it came from, its buttons and history. */
export async function showAccount(ctx: ServiceContext, actor: Actor, ref: AccountRef): Promise<Reply> {
  const locale = actor.locale;
  const found = await resolveAccount(ctx, ref);
  if (!found.ok) return renderError(found.error, locale, ctx.playbook);
  const { account, owner } = found.value;
  const lead = await findLead(ctx.db, account.id);
  const [score, history, bant] = await Promise.all([lead ? leadScore(ctx, lead) : null, accountHistory(ctx.db, account.id), latestBant(ctx.db, account.id)]);
  const calendar = stageCalendar(ctx.calendars, ctx.playbook, account.stage);
  return renderAccount(ctx.playbook, calendar, account, owner?.displayName ?? null, history, ctx.clock(), locale, score, bant);
}
