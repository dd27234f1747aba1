import { webApi } from "@slack/bolt";
import type { Logger } from "pino";
import { renderOutcome } from "../../commands/render-notice.js";
import { t } from "../../commands/i18n.js";
import type { Locale, OutgoingMessage, Reply } from "../../commands/reply.js";
import type { Delivery } from "../../jobs/outbox-worker.js";
import type { ServiceContext } from "../../services/context.js";
import { findMember } from "../../store/members.js";
import { closePostedCards, livePostedCards, recordPostedCard, type OutboxRow } from "../../store/outbox.js";
import { findTeam } from "../../store/teams.js";
import { fetchWithin, outcomeOfCopies, updateCopies } from "../deadline.js";
import { SLACK } from "../limits.js";
import { messageText, replyBlocks } from "./blocks.js";
import { describeError, slackClientOptions } from "./app.js";

// Slack errors that no retry will fix: the message is parked and an admin is told.
const PERMANENT = new Set([
  "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "account_inactive", "token_revoked", "missing_scope",
  "msg_too_long", "invalid_blocks", "user_not_found", "cannot_dm_bot", "no_permission",
]);

/**
 * Delivers one outbox row through Slack: a DM to a member, a post to a team's channel (remembering cards
 * so a later move can update them), an in-place update of an account's cards, or a late answer to a
 * command's response_url. Returns null when the row has no Slack address (the member is on WeCom only).
 */
export function slackDeliverer(ctx: ServiceContext, client: webApi.WebClient, log: Logger) {
  // The log of the delivery clients' warnings, made once: a default one per client would double its cost.
  const clients = deliveryClients(client, webClientLogger(log));
  return async (row: OutboxRow, deadline?: AbortSignal): Promise<Delivery | null> => {
    if (!deadline) return deliverWith(ctx, client, row, log, fetch);
    const lent = clients.lend(deadline);
    try {
      return await deliverWith(ctx, lent.client, row, log, fetchWithin(deadline));
    } finally {
      lent.release();
    }
  };
}

async function deliverWith(ctx: ServiceContext, client: webApi.WebClient, row: OutboxRow, log: Logger, send: typeof fetch): Promise<Delivery | null> {
  try {
    return await deliver(ctx, client, row, log, send);
  } catch (error) {
    return classify(error, log);
  }
}

/**
 * Clients for deliveries, each calling Slack as `client` does (its token and API URL) with every call ending,
 * at the latest, when its delivery's `deadline` aborts: Slack's WebClient takes no signal per call, but takes a
 * fetch. A client is some 30 µs to make, so they are kept and lent, each to one delivery at a time (its fetch
 * reads the deadline of the delivery it is lent to); there are as many as deliveries ever ran at once.
 */
function deliveryClients(client: webApi.WebClient, logger: webApi.Logger) {
  type Lendable = { readonly client: webApi.WebClient; deadline: AbortSignal | null };
  const free: Lendable[] = [];
  const make = (): Lendable => {
    const lendable: Lendable = {
      deadline: null,
      client: new webApi.WebClient(client.token, {
        ...slackClientOptions(client.slackApiUrl), logger,
        // A call made after its delivery was over (none should be) still ends with the client's own timeout.
        fetch: (input, init) => (lendable.deadline ? fetchWithin(lendable.deadline)(input, init) : fetch(input, init)),
      }),
    };
    return lendable;
  };
  return {
    lend(deadline: AbortSignal): { client: webApi.WebClient; release(): void } {
      const lendable = free.pop() ?? make();
      lendable.deadline = deadline;
      return {
        client: lendable.client,
        release: () => {
          lendable.deadline = null;
          free.push(lendable);
        },
      };
    },
  };
}

/** The Web API client's warnings and errors, into our log; its debug lines (request bodies) never. */
function webClientLogger(log: Logger): webApi.Logger {
  const child = log.child({ component: "slack-outbox" });
  let level = webApi.LogLevel.WARN;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(" ")),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(" ")),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

async function deliver(ctx: ServiceContext, client: webApi.WebClient, row: OutboxRow, log: Logger, send: typeof fetch): Promise<Delivery | null> {
  const { reply, card, outcome } = row.payload;
  switch (row.targetKind) {
    case "member":
    case "team": {
      const target = await addressOf(ctx, row.targetKind, row.target);
      if (!target) return null;
      const image = imageOf(reply);
      // A picture is its own outbox row (a digest's chart), so a retry re-uploads it and never reposts text.
      if (image) return uploadImage(client, send, row.targetKind === "team" ? { channel_id: target.channel } : { channels: target.channel }, image);
      const posted = await client.chat.postMessage({ channel: target.channel, text: messageText(reply), blocks: replyBlocks(reply, SLACK.messageBlocks, target.locale) });
      if (card && posted.channel && posted.ts) {
        await recordPostedCard(ctx.db, { accountId: card.accountId, platform: "slack", channel: posted.channel, ref: posted.ts, locale: target.locale, outboxId: row.id, at: ctx.clock() });
      }
      return { kind: "sent" };
    }
    case "cards": {
      if (!outcome) return { kind: "failed", error: "card update without an outcome" };
      // Read with the claim (Slack's refs never change), or here for a row claimed without them.
      const cards = row.cards ? row.cards.filter((c) => c.platform === "slack") : await livePostedCards(ctx.db, outcome.accountId, "slack", row.id);
      if (cards.length === 0) return null;
      // Every copy at once, so that hanging ones cost the delivery one timeout, not one each. Each copy is done
      // with once updated: retired with the mark (one round trip), or here before a retry, which then updates
      // only the copies still live.
      const { done, errors } = await updateCopies(cards, async (posted) => {
        const updated = renderOutcome(ctx.playbook, outcome, ctx.calendar.timezone, posted.locale);
        try {
          await client.chat.update({ channel: posted.channel, ts: posted.ref, text: messageText(updated), blocks: replyBlocks(updated, SLACK.messageBlocks, posted.locale) });
        } catch (error) {
          // A deleted message cannot be updated; that copy is done with, the others still get theirs.
          if (platformError(error) !== "message_not_found") throw error;
        }
      });
      const failed = outcomeOfCopies(errors.map((error) => classify(error, log)));
      if (!failed) return { kind: "sent", retire: done };
      await closePostedCards(ctx.db, done);
      return failed;
    }
    case "response": {
      const [platform, url] = splitResponseTarget(row.target);
      if (platform !== "slack") return null;
      const image = imageOf(reply);
      // A picture asked for by command: response_url carries no files, so it goes to the channel it was asked in.
      if (image) return answerWithImage(client, send, url, image);
      return respondLate(send, url, reply);
    }
    case "person": {
      // Someone who is not a member (the answer to their request for access): a DM to their user id.
      const [platform, userId] = splitResponseTarget(row.target);
      if (platform !== "slack") return null;
      await client.chat.postMessage({ channel: userId, text: messageText(reply), blocks: replyBlocks(reply, SLACK.messageBlocks) });
      return { kind: "sent" };
    }
    default:
      return { kind: "failed", error: `unknown target kind ${row.targetKind}` };
  }
}

async function addressOf(ctx: ServiceContext, kind: "member" | "team", target: string): Promise<{ channel: string; locale: Locale } | null> {
  if (kind === "member") {
    const member = await findMember(ctx.db, { id: Number(target) });
    // Posting to a user id lands in the app's DM with them (the Messages tab).
    return member?.slackUserId ? { channel: member.slackUserId, locale: member.locale } : null;
  }
  const team = await findTeam(ctx.db, target);
  return team?.slackChannel ? { channel: team.slackChannel, locale: team.locale === "zh-CN" ? "zh-CN" : "en" } : null;
}

type Image = Extract<Reply["blocks"][number], { kind: "image" }>;

function imageOf(reply: Reply): Image | null {
  return reply.blocks.find((b): b is Image => b.kind === "image") ?? null;
}

/**
 * A command's answer that carries a picture (`/funnel chart`), split for Slack: a line for the ack (an ack and
 * response_url carry no files) and the picture as an outbox message into the conversation it was asked in,
 * addressed `<channel> <user>` so the asker's DM can take it instead. Null for answers without a picture.
 */
export function pictureAnswer(reply: Reply, asked: { channel: string; user: string }, locale: Locale): { answer: Reply; picture: OutgoingMessage } | null {
  const image = imageOf(reply);
  if (!image) return null;
  const text = t(locale, "chart.on-its-way", { alt: image.alt });
  return {
    answer: { text, ephemeral: true, blocks: [{ kind: "text", text }] },
    picture: { to: { kind: "response", platform: "slack", address: `${asked.channel} ${asked.user}` }, reply: { text: image.alt, ephemeral: false, blocks: [image] } },
  };
}

/**
 * A picture a command asked for, into the channel (or DM) the command came from. A channel the bot is not in
 * refuses the share; the picture then goes to the asker's DM, since a slash command works in any channel.
 */
async function answerWithImage(client: webApi.WebClient, send: typeof fetch, address: string, image: Image): Promise<Delivery> {
  const [channel = "", user = ""] = address.split(" ");
  try {
    return await uploadImage(client, send, { channel_id: channel }, image);
  } catch (error) {
    const code = platformError(error);
    if (!user || (code !== "not_in_channel" && code !== "channel_not_found")) throw error;
    return uploadImage(client, send, { channels: user }, image);
  }
}

/**
 * Slack's upload flow: `files.getUploadURLExternal` for a URL and a file id, the bytes POSTed to that URL,
 * then `files.completeUploadExternal` to share the file: into a channel by `channel_id`, or to people by
 * `channels` (which takes user ids; `channel_id` takes only a conversation's id). A failure anywhere
 * retries the whole flow: an upload never completed stays private to the bot.
 */
async function uploadImage(client: webApi.WebClient, send: typeof fetch, share: { channel_id: string } | { channels: string }, image: Image): Promise<Delivery> {
  const bytes = Buffer.from(image.png, "base64");
  const started = await client.files.getUploadURLExternal({ filename: image.name, length: bytes.length });
  if (!started.upload_url || !started.file_id) return { kind: "retry", error: "files.getUploadURLExternal gave no upload URL" };
  const sent = await send(started.upload_url, { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" }, signal: AbortSignal.timeout(30_000) });
  if (!sent.ok) {
    const retryAfter = Number(sent.headers.get("retry-after"));
    return { kind: "retry", error: `file upload answered ${sent.status}`, ...(sent.status === 429 && Number.isFinite(retryAfter) ? { afterMs: retryAfter * 1000 } : {}) };
  }
  const files = [{ id: started.file_id, title: image.alt.slice(0, 250) }] as [{ id: string; title: string }];
  await client.files.completeUploadExternal({ files, ...share });
  return { kind: "sent" };
}

/** `response` and `person` targets are stored as `<platform> <address>`. */
function splitResponseTarget(target: string): [string, string] {
  const space = target.indexOf(" ");
  return [target.slice(0, space), target.slice(space + 1)];
}

async function respondLate(send: typeof fetch, url: string, reply: Reply): Promise<Delivery> {
  if (!/^https?:\/\//.test(url)) return { kind: "failed", error: "response_url is not a URL" };
  const response = await send(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ response_type: reply.ephemeral ? "ephemeral" : "in_channel", replace_original: false, text: messageText(reply), blocks: replyBlocks(reply) }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.ok) return { kind: "sent" };
  const retryAfter = Number(response.headers.get("retry-after"));
  if (response.status === 429) return { kind: "retry", error: "response_url rate limited", afterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000 };
  // response_url lives 30 minutes for 5 uses; once it is gone no retry helps.
  if (response.status === 404 || response.status === 410) return { kind: "failed", error: `response_url answered ${response.status}` };
  return { kind: "retry", error: `response_url answered ${response.status}` };
}

function platformError(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : null;
}

function classify(error: unknown, log: Logger): Delivery {
  const code = (error as { code?: unknown }).code;
  if (code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
    return { kind: "retry", error: "rate limited", afterMs: seconds * 1000 };
  }
  const slackError = platformError(error);
  if (slackError && PERMANENT.has(slackError)) return { kind: "failed", error: slackError };
  const described = describeError(error);
  log.warn({ err: described }, "Slack delivery failed; will retry");
  return { kind: "retry", error: slackError ?? described.message };
}
