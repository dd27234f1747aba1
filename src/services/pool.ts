import type { AccountRef } from "../commands/command.js";
import { t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { ok, type Result } from "../domain/errors.js";
import { isPoolStage } from "../domain/routing.js";
import { poolAccounts } from "../store/leads.js";
import { actOnAccount } from "./act-on-account.js";
import type { RequestMeta, ServiceContext } from "./context.js";

/** A claimed account, for the reply. */
export interface ClaimOutcome {
  readonly accountId: number;
  readonly company: string;
  readonly stage: string;
}

const LISTED = 20;

/** Stages whose unowned accounts make up the pool: handed to a team whose member must accept them (MQL). */
export function poolStages(ctx: ServiceContext): string[] {
  return ctx.playbook.stages.filter((s) => isPoolStage(ctx.playbook, s)).map((s) => s.code);
}

/**
 * `/lead claim` (领取): a member of the assigned team takes an unowned MQL from the pool. The permission table
 * and the pool's rules (cool-down after letting it go, claim limit) decide in the domain, like any action, and
 * the one save loop saves it with the account's version, so of two reps claiming at once exactly one gets it.
 */
export async function claimLead(ctx: ServiceContext, actor: Actor, ref: AccountRef, meta: RequestMeta): Promise<Result<ClaimOutcome>> {
  const claimed = await actOnAccount(ctx, actor, ref, { kind: "claim" }, meta);
  return claimed.ok ? ok({ accountId: claimed.value.accountId, company: claimed.value.company, stage: claimed.value.toStage }) : claimed;
}

/** `/lead pool` (公海): the unowned MQLs, longest waiting first, each with a [Claim] button. */
export async function poolReply(ctx: ServiceContext, actor: Actor): Promise<Reply> {
  const locale = actor.locale;
  const { entries, total } = await poolAccounts(ctx.db, poolStages(ctx), LISTED);
  if (total === 0) return { text: t(locale, "pool.empty"), ephemeral: true, blocks: [{ kind: "text", text: t(locale, "pool.empty") }] };
  const now = ctx.clock().getTime();
  const title = t(locale, "pool.title", { count: total });
  const lines = entries.map((e) => t(locale, "pool.item", {
    id: e.id, company: e.company, stage: stageName(ctx.playbook, e.stage, locale), score: e.score,
    waited: t(locale, "show.days", { days: Math.floor((now - e.stageEnteredAt.getTime()) / 86_400_000) }),
  }));
  return {
    text: [title, ...lines].join("\n"),
    ephemeral: true,
    blocks: [
      { kind: "heading", text: title },
      ...entries.flatMap((e, i) => [
        { kind: "text" as const, text: lines[i]! },
        { kind: "buttons" as const, buttons: [{ label: t(locale, "pool.claim"), command: `lead claim #${e.id}`, style: "primary" as const }] },
      ]),
      ...(total > entries.length ? [{ kind: "list" as const, items: [], more: total - entries.length }] : []),
    ],
  };
}
