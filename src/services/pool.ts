import type { AccountRef } from "../commands/command.js";
import { t } from "../commands/i18n.js";
import { stageName } from "../commands/render-notice.js";
import type { Reply } from "../commands/reply.js";
import type { Actor } from "../domain/account.js";
import { err, ok, type Result } from "../domain/errors.js";
import { cooldownUntil } from "../domain/routing.js";
import { stageOf } from "../domain/playbook.js";
import { saveChange } from "../store/accounts.js";
import { countOwned, poolAccounts, releasesOf } from "../store/leads.js";
import { findTeam } from "../store/teams.js";
import type { RequestMeta, ServiceContext } from "./context.js";
import { resolveAccount } from "./resolve-account.js";

/** A claimed account, for the reply. */
export interface ClaimOutcome {
  readonly accountId: number;
  readonly company: string;
  readonly stage: string;
}

const MAX_ATTEMPTS = 3;
const LISTED = 20;

/** Stages whose unowned accounts make up the pool: handed to a team whose member must accept them (MQL). */
export function poolStages(ctx: ServiceContext): string[] {
  const { playbook } = ctx;
  return playbook.stages.filter((s) => s.assignTo && playbook.transitions.some((x) => x.from === s.code && x.verb === "accept")).map((s) => s.code);
}

/**
 * `/lead claim` (领取): a rep of the assigned team takes an unowned MQL from the pool, unless they let
 * this very account go within the cool-down, or already hold as many unaccepted ones as the playbook
 * allows. Saved with the account's version, so of two reps claiming at once exactly one gets it.
 */
export async function claimLead(ctx: ServiceContext, actor: Actor, ref: AccountRef, meta: RequestMeta): Promise<Result<ClaimOutcome>> {
  const { routing } = ctx.playbook;
  const stages = poolStages(ctx);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const found = await resolveAccount(ctx, ref);
    if (!found.ok) return found;
    const { account } = found.value;
    const stage = stageOf(ctx.playbook, account.stage);
    if (!stage || !stages.includes(stage.code) || account.ownerId !== null) return err("not-in-pool", { company: account.company });
    if (actor.role !== "admin" && actor.teamKey !== stage.assignTo) return err("forbidden", { team: actor.teamKey, stage: stage.code, teams: [stage.assignTo] });
    const now = ctx.clock();
    const until = cooldownUntil(await releasesOf(ctx.db, account.id), actor.id, routing.cooldownDays, now);
    if (until) return err("cooldown", { company: account.company, until: until.toISOString() });
    const held = await countOwned(ctx.db, actor.id, stages);
    if (held >= routing.claimLimit) return err("claim-limit", { count: held, limit: routing.claimLimit });
    const channel = stage.teams[0] ?? stage.assignTo!;
    const text = t((await findTeam(ctx.db, channel))?.locale ?? "en", "claimed.team", { actor: actor.displayName, company: account.company, id: account.id });
    const saved = await saveChange(ctx.db, {
      accountId: account.id, expectedVersion: account.version, next: { ...account, ownerId: actor.id, lastActivityAt: now, version: account.version + 1 },
      events: [{ kind: "claimed", fromStage: null, toStage: null, reasonCode: null, reasonText: null, amount: null, data: { repId: actor.id, repName: actor.displayName } }],
      actorId: actor.id, platform: meta.platform, at: now, bant: null, checklist: null,
      messages: [{ to: { kind: "team", teamKey: channel }, reply: { text, ephemeral: false, blocks: [{ kind: "text", text }] } }],
      roundRobin: null, idempotency: null,
    });
    if (saved.kind === "saved") return ok({ accountId: account.id, company: account.company, stage: account.stage });
  }
  return err("not-in-pool", { company: "" });
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
