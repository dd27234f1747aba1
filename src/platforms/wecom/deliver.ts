import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { renderOutcome } from "../../commands/render-notice.js";
import type { Reply } from "../../commands/reply.js";
import type { Delivery } from "../../jobs/outbox-worker.js";
import type { ServiceContext } from "../../services/context.js";
import { findMember } from "../../store/members.js";
import { closePostedCards, livePostedCards, recordPostedCard, type OutboxRow, type PostedCard } from "../../store/outbox.js";
import { findTeam } from "../../store/teams.js";
import { outcomeOfCopies, updateCopies } from "../deadline.js";
import { WECOM } from "../limits.js";
import { buttonCard, cardButtons, outcomeCard, replyMarkdown, replyText, taskIdFor } from "./cards.js";
import { WecomApiError, WecomNetworkError, type WecomClient } from "./client.js";

// errcodes no retry will fix: the message is parked and an admin is told.
const PERMANENT: ReadonlySet<number> = new Set([
  40001, // invalid secret
  40003, // invalid UserID
  40013, // invalid corp id
  40056, // invalid agentid
  60020, // not a trusted IP (企业可信IP)
  81013, // no valid recipient: not a member, or outside the app's visible range
  93000, // robot webhook key invalid, or the robot was removed from its group
]);

const MINUTE = 60_000;

/**
 * Counts sends per recipient over the last minute, so the bot stays within WeCom's rates on its own
 * (30 app messages a minute to one member, past which WeCom drops them silently; 20 a minute per group
 * robot). Per process: replicas each keep their own count, and WeCom's 45009 covers the rest.
 */
export class RateWindow {
  private readonly sent = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when `key` may send now (and the send is counted), else how many ms until it may. */
  take(key: string): number {
    const now = this.now();
    const recent = (this.sent.get(key) ?? []).filter((at) => now - at < MINUTE);
    if (recent.length >= this.limit) {
      this.sent.set(key, recent);
      return MINUTE - (now - recent[0]!);
    }
    recent.push(now);
    this.sent.set(key, recent);
    return 0;
  }
}

/** Where a PostedCard of ours points: `<task_id>:<response_code>` (a task_id holds no colon). */
export function cardRef(taskId: string, responseCode: string): string {
  return `${taskId}:${responseCode}`;
}

function splitCardRef(ref: string): { taskId: string; responseCode: string } | null {
  const colon = ref.indexOf(":");
  return colon > 0 ? { taskId: ref.slice(0, colon), responseCode: ref.slice(colon + 1) } : null;
}

/**
 * Delivers one outbox row through WeCom: a message to a member (the account's card as an interactive
 * template card, remembered so a later move can update it), markdown to a team's group robot or app
 * chat, or an update of the account's posted cards. Returns null when the row has no WeCom address, so
 * the next platform (or none) takes it.
 */
export function wecomDeliverer(ctx: ServiceContext, client: WecomClient, log: Logger) {
  const members = new RateWindow(WECOM.memberPerMinute);
  const robots = new RateWindow(WECOM.robotPerMinute);
  // `deadline` ends every call the delivery makes, a fetch of the access token included.
  return async (row: OutboxRow, deadline?: AbortSignal): Promise<Delivery | null> => {
    try {
      return await deliver(ctx, deadline ? client.within(deadline) : client, row, { members, robots }, log);
    } catch (error) {
      return classify(error, log);
    }
  };
}

async function deliver(ctx: ServiceContext, client: WecomClient, row: OutboxRow, rates: { members: RateWindow; robots: RateWindow }, log: Logger): Promise<Delivery | null> {
  const { reply, card, outcome } = row.payload;
  switch (row.targetKind) {
    case "member": {
      const member = await findMember(ctx.db, { id: Number(row.target) });
      if (!member?.wecomUserId) return null;
      const wait = rates.members.take(member.wecomUserId);
      if (wait > 0) return { kind: "retry", error: "over 30 messages a minute to one member", afterMs: wait };
      const image = reply.blocks.find((b) => b.kind === "image");
      if (image) return sendImageTo(client, member.wecomUserId, image);
      if (card && cardButtons(reply).length > 0) {
        const taskId = taskIdFor(card.accountId, randomBytes(8).toString("hex"));
        const sent = await client.sendTemplateCard(member.wecomUserId, buttonCard(reply, taskId));
        if (sent.responseCode) {
          await recordPostedCard(ctx.db, {
            accountId: card.accountId, platform: "wecom", channel: member.wecomUserId, ref: cardRef(taskId, sent.responseCode),
            locale: member.locale, outboxId: row.id, at: ctx.clock(),
          });
        }
        return { kind: "sent" };
      }
      await client.sendText(member.wecomUserId, replyText(reply, member.locale));
      return { kind: "sent" };
    }
    case "team": {
      const team = await findTeam(ctx.db, row.target);
      if (!team) return null;
      const image = reply.blocks.find((b) => b.kind === "image");
      // A picture is its own outbox row (a digest's chart): the robot takes it inline, an app chat by media_id.
      if (image && (team.wecomRobotKey || team.wecomChatId)) {
        const png = Buffer.from(image.png, "base64");
        if (team.wecomRobotKey) {
          const wait = rates.robots.take(team.wecomRobotKey);
          if (wait > 0) return { kind: "retry", error: "over 20 robot messages a minute", afterMs: wait };
          await client.sendRobotImage(team.wecomRobotKey, png);
        } else {
          await client.sendAppChatImage(team.wecomChatId!, await client.uploadImage(png, image.name));
        }
        return { kind: "sent" };
      }
      if (team.wecomRobotKey) {
        const wait = rates.robots.take(team.wecomRobotKey);
        if (wait > 0) return { kind: "retry", error: "over 20 robot messages a minute", afterMs: wait };
        await client.sendRobotMarkdown(team.wecomRobotKey, replyMarkdown(reply, team.locale, WECOM.robotMarkdown));
        return { kind: "sent" };
      }
      if (team.wecomChatId) {
        await client.sendAppChatMarkdown(team.wecomChatId, replyMarkdown(reply, team.locale, WECOM.appMarkdown));
        return { kind: "sent" };
      }
      return null;
    }
    case "cards": {
      if (!outcome) return { kind: "failed", error: "card update without an outcome" };
      const cards = await livePostedCards(ctx.db, outcome.accountId, "wecom", row.id);
      if (cards.length === 0) return null;
      // Every card at once, so that hanging ones cost the delivery one timeout, not one each. Each is retired as
      // soon as it is updated (its response_code is spent), so a retry updates only those still live.
      const { errors } = await updateCopies(cards, (posted) => updateCard(ctx, client, posted, renderOutcome(ctx.playbook, outcome, ctx.calendar.timezone, posted.locale), log));
      return outcomeOfCopies(errors.map((error) => classify(error, log))) ?? { kind: "sent" };
    }
    case "person": {
      // Someone who is not a member (the answer to their request for access), by UserID; always in Chinese.
      if (!row.target.startsWith("wecom ")) return null;
      const userId = row.target.slice("wecom ".length);
      const wait = rates.members.take(userId);
      if (wait > 0) return { kind: "retry", error: "over 30 messages a minute to one member", afterMs: wait };
      await client.sendText(userId, replyText(reply, "zh-CN"));
      return { kind: "sent" };
    }
    case "response": {
      if (!row.target.startsWith("wecom ")) return null;
      // A picture asked for by command goes back to the asker's UserID: media/upload, then an image message.
      // Other late answers go to members through the outbox; WeCom has no response URL to answer on.
      const image = reply.blocks.find((b) => b.kind === "image");
      if (!image) return { kind: "failed", error: "WeCom takes no response targets but pictures" };
      const userId = row.target.slice("wecom ".length);
      const wait = rates.members.take(userId);
      if (wait > 0) return { kind: "retry", error: "over 30 messages a minute to one member", afterMs: wait };
      return sendImageTo(client, userId, image);
    }
    default:
      return { kind: "failed", error: `unknown target kind ${row.targetKind}` };
  }
}

/** A picture to one member from the app: `media/upload` for a media_id (3 days), then an image message. */
async function sendImageTo(client: WecomClient, userId: string, image: { png: string; name: string }): Promise<Delivery> {
  await client.sendImage(userId, await client.uploadImage(Buffer.from(image.png, "base64"), image.name));
  return { kind: "sent" };
}

/** Spends one card's response_code on its outcome; a code WeCom refuses (used, expired) retires that card only. */
async function updateCard(ctx: ServiceContext, client: WecomClient, posted: PostedCard, outcome: Reply, log: Logger): Promise<void> {
  const ref = splitCardRef(posted.ref);
  if (ref) {
    try {
      await client.updateTemplateCard([posted.channel], ref.responseCode, outcomeCard(outcome, posted.locale, ref.taskId));
    } catch (error) {
      if (!(error instanceof WecomApiError) || error.retryable) throw error;
      log.warn({ cardId: posted.id, errcode: error.errcode }, "WeCom refused a card update; that card is left as it was");
    }
  }
  await closePostedCards(ctx.db, [posted.id]);
}

function classify(error: unknown, log: Logger): Delivery {
  if (error instanceof WecomApiError) {
    if (error.throttled) return { kind: "retry", error: error.message, afterMs: MINUTE };
    if (PERMANENT.has(error.errcode)) return { kind: "failed", error: error.message };
    if (!error.retryable) log.warn({ api: error.api, errcode: error.errcode, status: error.status }, "WeCom refused a delivery; will retry");
    return { kind: "retry", error: error.message };
  }
  if (error instanceof WecomNetworkError) return { kind: "retry", error: error.message };
  const message = error instanceof Error ? error.message : String(error);
  log.warn({ err: { name: error instanceof Error ? error.name : "Error", message } }, "WeCom delivery failed; will retry");
  return { kind: "retry", error: message };
}
