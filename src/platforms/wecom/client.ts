import { createHash } from "node:crypto";
import { fetchWithin } from "../deadline.js";
import { WECOM } from "../limits.js";

/** Where the client sends its calls, and as which app. */
export interface WecomClientOptions {
  readonly corpId: string;
  readonly agentId: number;
  readonly secret: string;
  /** Another base URL (a proxy, or a fake WeCom in tests); default https://qyapi.weixin.qq.com. */
  readonly apiUrl?: string;
  readonly timeoutMs?: number;
  /** The wall clock in milliseconds, for the access token's lifetime. */
  readonly now?: () => number;
}

/** A template card as `message/send` and `update_template_card` take it (see cards.ts). */
export type TemplateCard = Readonly<Record<string, unknown>>;

/**
 * A call WeCom refused: an `errcode` in an HTTP 200 answer (HTTP 200 is not success), or an HTTP failure
 * (then `status` is set and `errcode` is 0). Never carries the URL, which holds the token or a robot key.
 */
export class WecomApiError extends Error {
  override name = "WecomApiError";
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    readonly status = 200,
  ) {
    super(`${api}: ${errcode ? `errcode ${errcode}` : `HTTP ${status}`}${errmsg ? ` ${errmsg.slice(0, 200)}` : ""}`);
  }

  /** Worth another try later: WeCom busy (-1), over a frequency limit (45009), or an HTTP 429 / 5xx. */
  get retryable(): boolean {
    if (this.errcode === WECOM.busyError || this.errcode === WECOM.rateError) return true;
    return this.errcode === 0 && (this.status === 429 || this.status >= 500);
  }

  /** WeCom asked us to slow down. */
  get throttled(): boolean {
    return this.errcode === WECOM.rateError || (this.errcode === 0 && this.status === 429);
  }
}

/** WeCom could not be reached (DNS, refused, timeout); always worth another try. */
export class WecomNetworkError extends Error {
  override name = "WecomNetworkError";
  constructor(api: string, cause: unknown) {
    const code = (cause as { cause?: { code?: unknown } })?.cause?.code ?? (cause as { name?: unknown })?.name;
    super(`${api}: WeCom unreachable (${typeof code === "string" ? code : "network error"})`);
  }
}

/**
 * errcode for "no valid recipient". WeCom answers it when every recipient is invalid; when only some are,
 * it answers 0 with `invaliduser`, which for our one recipient means the same and is reported as this.
 */
export const INVALID_RECIPIENT = 81013;

const TOKEN_ERRORS: ReadonlySet<number> = new Set([...WECOM.tokenErrors, 42009]);
const DEFAULT_API_URL = "https://qyapi.weixin.qq.com";

/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes, between lines where it can; a line longer
 * than that is cut between characters, never inside one.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, "utf8");
  if (bytes(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let current = "";
  const push = () => {
    if (current) pieces.push(current);
    current = "";
  };
  for (const line of text.split("\n")) {
    const joined = current ? `${current}\n${line}` : line;
    if (bytes(joined) <= maxBytes) {
      current = joined;
      continue;
    }
    push();
    if (bytes(line) <= maxBytes) {
      current = line;
      continue;
    }
    for (const char of line) {
      if (bytes(current) + bytes(char) > maxBytes) push();
      current += char;
    }
  }
  push();
  return pieces;
}

/**
 * The WeCom server API for one self-built app: the access token is cached until shortly before it
 * expires and fetched again (once, then the call is retried once) when WeCom says it expired or was
 * revoked; every answer's errcode is checked. The client never logs, and its errors never hold a URL,
 * so neither the secret, the token nor a robot key can leak through them.
 */
export class WecomClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: WecomClientOptions,
    /** The access token, shared with the views of this client made by `within`. */
    private readonly tokens: { cached: { readonly value: string; readonly refreshAt: number } | null; fetching: Promise<string> | null } = { cached: null, fetching: null },
    private readonly deadline: AbortSignal | null = null,
  ) {
    this.base = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** This client (its token shared) with every call ending, at the latest, when `deadline` aborts: an outbox delivery's. */
  within(deadline: AbortSignal): WecomClient {
    return new WecomClient(this.options, this.tokens, deadline);
  }

  /** A text message to one member from the app, split on lines into pieces WeCom takes whole. */
  async sendText(userId: string, content: string): Promise<void> {
    for (const part of splitUtf8(content, WECOM.appText)) await this.sendToUser(userId, { msgtype: "text", text: { content: part } });
  }

  /** A markdown message to one member (shown in the WeCom client; the WeChat plug-in shows no markdown). */
  async sendMarkdown(userId: string, content: string): Promise<void> {
    for (const part of splitUtf8(content, WECOM.appMarkdown)) await this.sendToUser(userId, { msgtype: "markdown", markdown: { content: part } });
  }

  /** A template card to one member; its response_code (one update within 72 hours) when WeCom gives one. */
  async sendTemplateCard(userId: string, card: TemplateCard): Promise<{ responseCode: string | null }> {
    const answer = await this.sendToUser(userId, { msgtype: "template_card", template_card: card });
    return { responseCode: typeof answer.response_code === "string" && answer.response_code ? answer.response_code : null };
  }

  /** Replaces a posted interactive card for `userIds`, spending its one-use response_code. */
  async updateTemplateCard(userIds: readonly string[], responseCode: string, card: TemplateCard): Promise<void> {
    await this.call("message/update_template_card", { userids: userIds, agentid: this.options.agentId, response_code: responseCode, template_card: card });
  }

  /** Markdown to a group through its robot's webhook key (no access token involved). */
  async sendRobotMarkdown(robotKey: string, content: string): Promise<void> {
    for (const part of splitUtf8(content, WECOM.robotMarkdown)) {
      await this.request("webhook/send", `${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(robotKey)}`, { msgtype: "markdown", markdown: { content: part } });
    }
  }

  /** Markdown to a group chat the app created (appchat/create). */
  async sendAppChatMarkdown(chatId: string, content: string): Promise<void> {
    for (const part of splitUtf8(content, WECOM.appMarkdown)) await this.call("appchat/send", { chatid: chatId, msgtype: "markdown", markdown: { content: part }, safe: 0 });
  }

  /** Uploads a PNG as temporary media (`media/upload`, type=image, multipart field `media`); its media_id lives 3 days. */
  async uploadImage(png: Buffer, filename: string): Promise<string> {
    const answer = await this.withToken("media/upload", (token) => {
      const form = new FormData();
      form.append("media", new Blob([new Uint8Array(png)], { type: "image/png" }), filename);
      return this.request("media/upload", `${this.base}/cgi-bin/media/upload?access_token=${encodeURIComponent(token)}&type=image`, form);
    });
    if (typeof answer.media_id !== "string" || !answer.media_id) throw new WecomApiError("media/upload", 0, "answer has no media_id", 502);
    return answer.media_id;
  }

  /** An uploaded image to one member from the app. */
  async sendImage(userId: string, mediaId: string): Promise<void> {
    await this.sendToUser(userId, { msgtype: "image", image: { media_id: mediaId } });
  }

  /** An uploaded image to a group chat the app created. */
  async sendAppChatImage(chatId: string, mediaId: string): Promise<void> {
    await this.call("appchat/send", { chatid: chatId, msgtype: "image", image: { media_id: mediaId }, safe: 0 });
  }

  /** An image through a group robot: the bytes as base64 with their md5 (no upload, no token). */
  async sendRobotImage(robotKey: string, png: Buffer): Promise<void> {
    const image = { base64: png.toString("base64"), md5: createHash("md5").update(png).digest("hex") };
    await this.request("webhook/send", `${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(robotKey)}`, { msgtype: "image", image });
  }

  /**
   * A department and every department under it (`department/simplelist`, ids only: it needs no 通讯录 field
   * permission beyond the app's visible range). WeCom answers 60123 for a department id that does not exist.
   */
  async departmentIds(id: number): Promise<{ id: number; parentid: number }[]> {
    const answer = await this.read("department/simplelist", { id: String(id) });
    return Array.isArray(answer.department_id) ? (answer.department_id as { id: number; parentid: number }[]) : [];
  }

  /** The members directly in one department, with their details (`user/list`); which fields come back depends on the app (see README). */
  async departmentUsers(departmentId: number): Promise<Record<string, unknown>[]> {
    const answer = await this.read("user/list", { department_id: String(departmentId) });
    return Array.isArray(answer.userlist) ? (answer.userlist as Record<string, unknown>[]) : [];
  }

  /** One member's details (`user/get`). */
  async user(userId: string): Promise<Record<string, unknown>> {
    return this.read("user/get", { userid: userId });
  }

  /** A GET of a read-only API with its query, under the cached token. */
  private async read(api: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const search = new URLSearchParams(query).toString();
    return this.withToken(api, (token) => this.request(api, `${this.url(api, token)}&${search}`, null));
  }

  private async sendToUser(userId: string, message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await this.call("message/send", { touser: userId, agentid: this.options.agentId, ...message });
    const invalid = typeof answer.invaliduser === "string" ? answer.invaliduser.split("|").filter(Boolean) : [];
    if (invalid.length > 0) throw new WecomApiError("message/send", INVALID_RECIPIENT, "recipient invalid or outside the app's visible range");
    return answer;
  }

  /** One API call with the cached token; an expired or revoked token is replaced and the call made once more. */
  private async call(api: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.withToken(api, (token) => this.request(api, this.url(api, token), payload));
  }

  private async withToken(api: string, send: (token: string) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const token = await this.token();
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof WecomApiError) || !TOKEN_ERRORS.has(error.errcode)) throw error;
      // Another call may have replaced it already; only drop the one WeCom refused.
      if (this.tokens.cached?.value === token) this.tokens.cached = null;
      return send(await this.token());
    }
  }

  private url(api: string, token: string): string {
    return `${this.base}/cgi-bin/${api}?access_token=${encodeURIComponent(token)}`;
  }

  /** The cached token, or a fresh one; concurrent callers share one gettoken call. */
  private async token(): Promise<string> {
    const { cached } = this.tokens;
    if (cached && this.now() < cached.refreshAt) return cached.value;
    this.tokens.fetching ??= this.fetchToken().finally(() => {
      this.tokens.fetching = null;
    });
    return this.tokens.fetching;
  }

  private async fetchToken(): Promise<string> {
    const { corpId, secret } = this.options;
    const answer = await this.request("gettoken", `${this.base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`, null);
    const value = answer.access_token;
    if (typeof value !== "string" || value === "") throw new WecomApiError("gettoken", 0, "answer has no access_token", 502);
    const lifetime = Number(answer.expires_in);
    const seconds = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : WECOM.accessTokenSeconds;
    this.tokens.cached = { value, refreshAt: this.now() + Math.max(0, seconds - WECOM.tokenRefreshMarginSeconds) * 1000 };
    return value;
  }

  private async request(api: string, url: string, payload: Record<string, unknown> | FormData | null): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await (this.deadline ? fetchWithin(this.deadline) : fetch)(url, {
        method: payload ? "POST" : "GET",
        // A form sets its own multipart content type and boundary.
        ...(payload instanceof FormData ? { body: payload } : payload ? { headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(payload) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WecomNetworkError(api, error);
    }
    if (!response.ok) throw new WecomApiError(api, 0, "", response.status);
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new WecomApiError(api, 0, "answer is not JSON", 502);
    }
    if (!answer || typeof answer !== "object") throw new WecomApiError(api, 0, "answer is not an object", 502);
    const body = answer as Record<string, unknown>;
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0) throw new WecomApiError(api, Number.isFinite(errcode) ? errcode : -1, typeof body.errmsg === "string" ? body.errmsg : "");
    return body;
  }
}
