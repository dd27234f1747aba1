import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { formOf, type Locale } from "../../commands/reply.js";
import type { Delivery } from "../../jobs/outbox-worker.js";
import type { ServiceContext } from "../../services/context.js";
import { answerStranger } from "../../services/request-access.js";
import { openCommand } from "../../services/run-command.js";
import { readWecomMention } from "./mentions.js";
import { readBody, type Handler } from "../../server.js";
import { claimDelivery } from "../../store/deliveries.js";
import { isDatabaseBusy } from "../../store/sql.js";
import { enqueue, livePostedCards, replacePostedCardRef, type OutboxRow } from "../../store/outbox.js";
import { WECOM } from "../limits.js";
import { withinBudget, type Within } from "../budget.js";
import { busyReply } from "../busy.js";
import { accountOfTask, NOOP_KEY, replyText } from "./cards.js";
import { WecomClient } from "./client.js";
import { cdata, openCallback, sealReply, WecomCryptoError, type WecomCallbackKeys } from "./crypto.js";
import { cardRef, wecomDeliverer } from "./deliver.js";
import { readXmlFields } from "./xml.js";

/** What the WeCom surface needs from the environment (the five WECOM_* values and an optional base URL). */
export interface WecomConfig {
  readonly corpId: string;
  readonly agentId: number;
  readonly secret: string;
  /** The callback's Token and EncodingAESKey, from the app's 接收消息 settings. */
  readonly token: string;
  readonly encodingAesKey: string;
  /** Another base URL for the server API (a proxy, or a fake WeCom in tests). */
  readonly apiUrl?: string;
  /** How long a callback may wait for its command before WeCom is answered anyway (the work goes on). */
  readonly ackBudgetMs?: number;
}

/** The WeCom surface: the callback route for the shared server, the API client, and the outbox deliverer. */
export interface WecomSurface {
  readonly client: WecomClient;
  /** `GET/POST /wecom/callback`. */
  readonly handler: Handler;
  readonly deliver: (row: OutboxRow, deadline?: AbortSignal) => Promise<Delivery | null>;
}

/** The signed query of a callback. */
interface Signed {
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

// WeCom pushes again after 5 s without an answer; answer well before, and let slow work finish behind it.
const ACK_BUDGET_MS = WECOM.callbackSeconds * 1000 - 2_000;
/**
 * A signed callback older (or newer) than this is refused as a replay, as Slack's 5-minute window does.
 * WeCom re-pushes within seconds and stamps each push afresh; a captured callback replayed later, after its
 * MsgId claim has been pruned, would otherwise run again.
 */
const REPLAY_WINDOW_SECONDS = 5 * 60;

/**
 * Builds the WeCom surface over the one command language. Every callback is verified (signature in
 * constant time), decrypted (padding, length and receive id checked) and parsed before anything is read;
 * anything else is answered 4xx with nothing written. Text messages and card clicks run as the member
 * their UserID maps to and are claimed first, so a re-pushed one changes nothing.
 *
 * Replies are active: the callback is answered with an empty 200 as soon as the command has run, and the
 * answer goes to the member through the outbox (retried, rate-limited, cut to WeCom's byte limits). A
 * passive reply is used only for people funnelbot does not know (their request for access is stored, and
 * the admins asked, but they have no member to queue an answer for).
 */
export function createWecom(ctx: ServiceContext, config: WecomConfig, log: Logger): WecomSurface {
  const keys: WecomCallbackKeys = { token: config.token, encodingAesKey: config.encodingAesKey, corpId: config.corpId };
  const client = new WecomClient({ corpId: config.corpId, agentId: config.agentId, secret: config.secret, apiUrl: config.apiUrl });
  const logger = log.child({ component: "wecom" });
  const budget = config.ackBudgetMs ?? ACK_BUDGET_MS;
  const meta = { platform: "wecom", mentions: readWecomMention } as const;

  /** A stranger's name from the WeCom directory (user/get) when it answers within a second; their UserID otherwise. */
  const nameOf = async (userId: string): Promise<string> => {
    const directory = ctx.directories?.wecom;
    if (!directory) return userId;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), 1_000);
      timer.unref();
    });
    try {
      const person = await Promise.race([directory.person(userId).catch(() => null), late]);
      return person?.name || userId;
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * A card clicked: its fresh response_code (72 h) replaces the one it was sent with before the command
   * runs, so the card update the command queues spends the fresh one. Returns how to undo that when the
   * click is refused (nothing is kept of a refused click); null when the card is not a live one of ours.
   */
  const renewCard = async (message: Record<string, string>): Promise<(() => Promise<void>) | null> => {
    const taskId = message.TaskId ?? "";
    const accountId = accountOfTask(taskId);
    const responseCode = message.ResponseCode ?? "";
    if (accountId === null || !responseCode) return null;
    const clicked = (await livePostedCards(ctx.db, accountId, "wecom")).find((c) => c.channel === message.FromUserName && c.ref.startsWith(`${taskId}:`));
    const fresh = cardRef(taskId, responseCode);
    if (!clicked || !(await replacePostedCardRef(ctx.db, clicked.id, clicked.ref, fresh))) return null;
    return async () => {
      await replacePostedCardRef(ctx.db, clicked.id, fresh, clicked.ref);
    };
  };

  const onText = async (message: Record<string, string>, signed: Signed): Promise<string | null> => {
    const from = message.FromUserName ?? "";
    const content = message.Content ?? "";
    if (!from) return null;
    // The member is read with what their command reads first (openCommand); the claim and the command follow.
    const opened = await busyAnswered(() => openCommand(ctx, { wecomUserId: from }, content, meta), from, "zh-CN", signed);
    if (typeof opened === "string") return opened;
    const actor = opened.actor;
    if (!actor) {
      // Someone funnelbot does not know asks the admins for access, and hears so passively, in Chinese.
      const reply = await busyAnswered(async () => answerStranger(ctx, { platform: "wecom", externalId: from, displayName: await nameOf(from), locale: "zh-CN" }, content), from, "zh-CN", signed);
      return typeof reply === "string" ? reply : passiveText(keys, from, replyText(reply, "zh-CN"), signed);
    }
    const key = message.MsgId ? `wecom:msg:${message.MsgId}` : `wecom:msg:${from}:${message.CreateTime ?? ""}:${digest(content)}`;
    const reply = await busyAnswered(async () => {
      if (!(await claimDelivery(ctx.db, key, ctx.clock()))) return null;
      return opened.run();
    }, from, actor.locale, signed);
    if (typeof reply !== "object" || reply === null) return reply;
    // A picture (`漏斗 图表`) goes to this WeCom user by UserID, not wherever else the member can be reached.
    const to = reply.blocks.some((b) => b.kind === "image") ? { kind: "response" as const, platform: "wecom" as const, address: from } : { kind: "member" as const, memberId: actor.id };
    await enqueue(ctx.db, [{ to, reply }], ctx.clock());
    return null;
  };

  /**
   * Runs `work`; when the database cannot be had in time (nothing was written), answers passively with
   * "busy, try again", since queueing an active answer would need the database too.
   */
  const busyAnswered = async <T>(work: () => Promise<T>, userId: string, locale: Locale, signed: Signed): Promise<T | string> => {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error;
      return passiveText(keys, userId, busyReply(ctx, locale).text, signed);
    }
  };

  const onCardClick = async (message: Record<string, string>, signed: Signed): Promise<string | null> => {
    const from = message.FromUserName ?? "";
    const eventKey = message.EventKey ?? "";
    // The grey button of a finished card does nothing, and is not worth a write.
    if (!from || !eventKey || eventKey === NOOP_KEY) return null;
    const opened = await busyAnswered(() => openCommand(ctx, { wecomUserId: from }, eventKey, meta), from, "zh-CN", signed);
    if (typeof opened === "string") return opened;
    const actor = opened.actor;
    if (!actor) return null;
    // WeCom re-pushes an event with the same FromUserName, CreateTime and EventKey; a second click has its own CreateTime.
    const reply = await busyAnswered(async () => {
      if (!(await claimDelivery(ctx.db, `wecom:event:${from}:${message.CreateTime ?? ""}:${digest(eventKey)}`, ctx.clock()))) return null;
      const undo = await renewCard(message);
      // A move updates the card through the outbox (`cards`); the clicker also hears the answer in the chat,
      // which is where a reason list or the BANT form arrives.
      const answer = await opened.run();
      // A refusal keeps the card as it was. A form (a reason to pick) is no refusal: the answer moves this card.
      if (answer.errorCode && !formOf(answer)) await undo?.();
      return answer;
    }, from, actor.locale, signed);
    if (typeof reply !== "object" || reply === null) return reply;
    await enqueue(ctx.db, [{ to: { kind: "member", memberId: actor.id }, reply }], ctx.clock());
    return null;
  };

  const onMessage = (message: Record<string, string>, signed: Signed): Promise<string | null> => {
    if (message.MsgType === "text") return onText(message, signed);
    if (message.MsgType === "event" && message.Event === "template_card_event") return onCardClick(message, signed);
    // Other messages and events (images, enter_agent …) need nothing from us.
    return Promise.resolve(null);
  };

  const handler: Handler = async (req, res) => {
    const query = readQuery(req.url ?? "");
    const signed = signedQuery(query);
    // Wall-clock time, not ctx.clock: the window is about WeCom's clock and ours, not the business clock.
    if (signed && Math.abs(Date.now() / 1000 - Number(signed.timestamp)) > REPLAY_WINDOW_SECONDS) {
      req.resume();
      logger.warn({ reason: "stale-timestamp" }, "WeCom callback refused");
      return send(res, 401, "Stale timestamp\n");
    }
    if (req.method === "GET") {
      const echo = query.get("echostr");
      if (!signed || !echo || echo.length > 4096) return send(res, 400, "Missing msg_signature, timestamp, nonce or echostr\n");
      // URL verification: the decrypted echostr, as plain text, and nothing else.
      const opened = open(keys, signed, echo, logger);
      if (typeof opened !== "string") return send(res, opened.status, opened.text);
      return send(res, 200, opened, "text/plain; charset=utf-8");
    }
    if (req.method !== "POST") return send(res, 405, "Method not allowed\n", "text/plain; charset=utf-8", { allow: "GET, POST" });
    const body = await readBody(req, WECOM.callbackBodyBytes);
    if (body === null) return send(res, 413, "Payload too large\n", "text/plain; charset=utf-8", { connection: "close" });
    if (!signed) return send(res, 400, "Missing msg_signature, timestamp or nonce\n");
    const encrypt = readXmlFields(body)?.Encrypt;
    if (!encrypt) return send(res, 400, "Not a WeCom callback\n");
    const opened = open(keys, signed, encrypt, logger);
    if (typeof opened !== "string") return send(res, opened.status, opened.text);
    const message = readXmlFields(opened);
    if (!message) return send(res, 400, "Not a WeCom message\n");

    const work = onMessage(message, signed);
    let answer: Within<string | null>;
    try {
      answer = await withinBudget(work, budget);
    } catch (error) {
      logger.error({ err: describe(error) }, "WeCom callback failed");
      return send(res, 500, "Internal error\n");
    }
    if (!answer.done) work.catch((error: unknown) => logger.error({ err: describe(error) }, "WeCom callback failed after its answer"));
    else if (typeof answer.value === "string") return send(res, 200, answer.value, "application/xml; charset=utf-8");
    return send(res, 200, "");
  };

  return { client, handler, deliver: wecomDeliverer(ctx, client, logger) };
}

/** Opens a signed Encrypt value, or says which 4xx to answer: 401 for forgeries, 400 for garbage. */
function open(keys: WecomCallbackKeys, signed: Signed, encrypt: string, log: Logger): string | { status: number; text: string } {
  try {
    return openCallback(keys, signed, encrypt);
  } catch (error) {
    if (!(error instanceof WecomCryptoError)) throw error;
    log.warn({ reason: error.code }, "WeCom callback refused");
    const forged = error.code === "bad-signature" || error.code === "wrong-receiver";
    return { status: forged ? 401 : 400, text: forged ? "Invalid signature\n" : "Invalid Encrypt\n" };
  }
}

/** A passive text reply to `userId`, sealed for our corp: the answer that needs no database. */
function passiveText(keys: WecomCallbackKeys, userId: string, text: string, signed: Signed): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const xml = `<xml><ToUserName>${cdata(userId)}</ToUserName><FromUserName>${cdata(keys.corpId)}</FromUserName><CreateTime>${timestamp}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(text)}</Content></xml>`;
  return sealReply(keys, xml, timestamp, signed.nonce);
}

/** The query string, decoded without turning `+` into a space: echostr is base64 and WeCom escapes it. */
function readQuery(url: string): Map<string, string> {
  const out = new Map<string, string>();
  const at = url.indexOf("?");
  if (at < 0) return out;
  for (const part of url.slice(at + 1).split("&")) {
    const eq = part.indexOf("=");
    try {
      out.set(decodeURIComponent(eq < 0 ? part : part.slice(0, eq)), decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1)));
    } catch {
      // A malformed escape: that parameter is left out and the request fails as unsigned.
    }
  }
  return out;
}

function signedQuery(query: Map<string, string>): Signed | null {
  const signature = query.get("msg_signature") ?? "";
  const timestamp = query.get("timestamp") ?? "";
  const nonce = query.get("nonce") ?? "";
  if (!/^[0-9a-fA-F]{40}$/.test(signature) || !/^\d{1,20}$/.test(timestamp) || !nonce || nonce.length > 128) return null;
  return { signature, timestamp, nonce };
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8", headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, ...headers }).end(body);
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** An error as a log line: its name and message, never the request. */
function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
}
