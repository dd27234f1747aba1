import { renderOutcome } from "../../commands/render-notice.js";
import type { Locale } from "../../commands/reply.js";
import type { Delivery } from "../../jobs/outbox-worker.js";
import type { ServiceContext } from "../../services/context.js";
import { findMember } from "../../store/members.js";
import { livePostedCards, recordPostedCard, type OutboxRow } from "../../store/outbox.js";
import { findTeam } from "../../store/teams.js";
import type { PlaygroundInbox } from "./inbox.js";

/** The playground's name for an outbox target: `team:sales`, `member:4`. */
export function conversationOf(targetKind: string, target: string): string {
  return `${targetKind}:${target}`;
}

/**
 * Delivers outbox rows into the playground's conversations, like the Slack and WeCom deliverers into
 * theirs: a member's DM, a team's channel (remembering cards, with the outbox row as their ref, so a
 * later move updates them in place), and updates of an account's cards.
 *
 * The playground shows every message, whichever platform its people are on, so it answers null for
 * member and team rows ("not mine alone"): a real platform running alongside still delivers them, and
 * with none the worker counts them as sent. A retried row is recognised by its id and shown once.
 */
export function playgroundDeliverer(ctx: ServiceContext, inbox: PlaygroundInbox) {
  return async (row: OutboxRow): Promise<Delivery | null> => {
    const { reply, card, outcome } = row.payload;
    switch (row.targetKind) {
      case "member":
      case "team": {
        const locale = await localeOf(ctx, row.targetKind, row.target);
        if (!locale) return null;
        const conversation = conversationOf(row.targetKind, row.target);
        const posted = inbox.post(conversation, { id: row.id, at: ctx.clock(), reply, locale });
        if (posted && card) {
          await recordPostedCard(ctx.db, { accountId: card.accountId, platform: "playground", channel: conversation, ref: String(row.id), locale, outboxId: row.id, at: ctx.clock() });
        }
        return null;
      }
      case "cards": {
        if (!outcome) return null;
        const cards = await livePostedCards(ctx.db, outcome.accountId, "playground", row.id);
        if (cards.length === 0) return null;
        for (const posted of cards) {
          // A card from before a restart is no longer held; it is retired all the same.
          inbox.update(posted.channel, Number(posted.ref), renderOutcome(ctx.playbook, outcome, ctx.calendar.timezone, posted.locale), ctx.clock());
        }
        return { kind: "sent", retire: cards.map((c) => c.id) };
      }
      default:
        return null;
    }
  };
}

async function localeOf(ctx: ServiceContext, kind: "member" | "team", target: string): Promise<Locale | null> {
  if (kind === "member") return (await findMember(ctx.db, { id: Number(target) }))?.locale ?? null;
  const team = await findTeam(ctx.db, target);
  return team ? team.locale : null;
}
