/**
 * A fake WeCom server API on 127.0.0.1 that records every call, and helpers that build callbacks exactly
 * as WeCom does: the message encrypted with `@wecom/crypto` in the documented layout (16 random bytes,
 * 4-byte big-endian length, message, receive id; PKCS#7 to 32; AES-256-CBC, key = base64(EncodingAESKey
 * + "="), IV = its first 16 bytes), signed sha1(sorted token, timestamp, nonce, Encrypt), wrapped in the
 * XML envelope and posted to `/wecom/callback?msg_signature=…&timestamp=…&nonce=…`.
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decrypt, encrypt, getSignature } from "@wecom/crypto";

/** The app a test plays WeCom for. */
export interface WecomTestApp {
  readonly corpId: string;
  readonly agentId: number;
  readonly secret: string;
  readonly token: string;
  readonly encodingAesKey: string;
}

/** The WeCom app the tests configure the bot with (a valid 43-character EncodingAESKey). */
export const TEST_WECOM_APP: WecomTestApp = {
  corpId: "wwfunnelbot0000001",
  agentId: 1000002,
  secret: "app-secret-never-logged",
  token: "QDG6eKrandomtoken",
  encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
};

/** One call the bot made to the fake. */
export interface WecomCall {
  /** `gettoken`, `message/send`, `message/update_template_card`, `appchat/send`, `webhook/send`, `user/list` … */
  readonly api: string;
  readonly query: Record<string, string>;
  readonly body: Record<string, unknown>;
  readonly response: Record<string, unknown>;
}

/** A call the fake never answered (see `hangWhen`): whether the caller gave up on it and closed its connection. */
export interface HungWecomCall {
  readonly api: string;
  readonly body: Record<string, unknown>;
  abandoned: boolean;
}

/** A member as WeCom's `user/list` documents them (the fields funnelbot reads, and a few it does not). */
export interface WecomUser {
  readonly userid: string;
  readonly name: string;
  /** The departments they are in (ids). */
  readonly department: readonly number[];
  /** 1 active, 2 disabled, 4 not yet activated, 5 left the company. */
  readonly status?: number;
  readonly email?: string;
  readonly mobile?: string;
  readonly position?: string;
}

// The fields WeCom stopped returning, on 20 June 2022, to self-built apps created after that date.
const SENSITIVE = ["email", "biz_mail", "mobile", "gender", "avatar", "thumb_avatar", "address", "qr_code"] as const;

export class FakeWecom {
  readonly calls: WecomCall[] = [];
  url = "";
  /** expires_in handed out by gettoken. */
  tokenLifetime = 7200;
  /** UserIDs outside the app's visible range: message/send answers errcode 0 with them in `invaliduser`. */
  readonly invisibleUsers = new Set<string>();
  private server: Server | null = null;
  private issued = 0;
  private liveToken: string | null = null;
  private expireNext = false;
  private readonly failures = new Map<string, { errcode: number; errmsg: string }[]>();
  private msgIds = 0;
  /** Images uploaded with media/upload, by media_id. */
  readonly media = new Map<string, Buffer>();
  /** Images a group robot posted, with their bytes. */
  readonly robotImages: { key: string; bytes: Buffer }[] = [];

  /** The corp's departments: id → parent id (the root, 1, has parent 0). */
  readonly departments = new Map<number, number>([[1, 0]]);
  /** The corp's members, by UserID. */
  readonly people = new Map<string, WecomUser>();
  /** The app's visible range (可见范围) as departments (their sub-departments included); null is the whole corp. */
  visibleRange: Set<number> | null = null;
  /** A self-built app created after 20 June 2022: `user/list` and `user/get` leave out email, mobile and the like. */
  createdAfterJune2022 = false;

  constructor(private readonly app: WecomTestApp) {}

  /** A department and every department under it, the department first. */
  private subtree(id: number): number[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) for (const [child, parent] of this.departments) if (parent === out[i] && !out.includes(child)) out.push(child);
    return out;
  }

  /** Whether a department is within the app's visible range (itself or a department above it listed). */
  private visible(id: number): boolean {
    if (!this.visibleRange) return true;
    for (let at: number | undefined = id; at !== undefined && at !== 0; at = this.departments.get(at)) if (this.visibleRange.has(at)) return true;
    return false;
  }

  /** A member as this app may read them. */
  private shown(user: WecomUser): Record<string, unknown> {
    const full: Record<string, unknown> = { status: 1, ...user, department: [...user.department], order: user.department.map(() => 0) };
    if (this.createdAfterJune2022) for (const field of SENSITIVE) delete full[field];
    return full;
  }

  /** The token WeCom revokes at the next API call that uses it: that call is answered 42001. */
  expireTokenOnNextCall(): void {
    this.expireNext = true;
  }

  /**
   * Decides, call by call, whether WeCom answers an errcode instead (in an HTTP 200). Checked after the
   * access token, as WeCom does, and before `failNext`; null lets the call through. Also asked for gettoken.
   */
  failWhen: ((api: string, body: Record<string, unknown>) => { errcode: number; errmsg?: string } | null) | null = null;

  /** Calls to hold without ever answering (a hung WeCom): kept in `hung`, not in `calls`, as nothing was done. */
  hangWhen: ((api: string, body: Record<string, unknown>) => boolean) | null = null;
  readonly hung: HungWecomCall[] = [];

  /** The next `count` calls to `api` are answered with this errcode (in an HTTP 200, as WeCom does). */
  failNext(api: string, count: number, errcode: number, errmsg = "fake failure"): void {
    this.failures.set(api, [...(this.failures.get(api) ?? []), ...Array.from({ length: count }, () => ({ errcode, errmsg }))]);
  }

  callsTo(api: string): WecomCall[] {
    return this.calls.filter((c) => c.api === api);
  }

  /** Successful message/send calls to `userId` (any msgtype). */
  sentTo(userId: string): WecomCall[] {
    return this.callsTo("message/send").filter((c) => c.body.touser === userId && c.response.errcode === 0);
  }

  /** Waits until a call matching `match` has arrived (polling; bounded by `timeoutMs`). */
  async waitFor(api: string, match: (call: WecomCall) => boolean = () => true, timeoutMs = 5_000): Promise<WecomCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find((c) => c.api === api && c.response.errcode === 0 && match(c));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${api} call arrived; got ${this.calls.map((c) => `${c.api}:${String(c.response.errcode)}`).join(", ") || "none"}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (bytes) => {
        const [path = "", search = ""] = (req.url ?? "").split("?");
        const api = path.replace(/^\/cgi-bin\//, "");
        const query = Object.fromEntries(new URLSearchParams(search));
        const type = req.headers["content-type"] ?? "";
        const raw = bytes.toString("utf8");
        // media/upload is multipart/form-data with the file in the `media` field, as documented.
        const body = type.startsWith("multipart/form-data") ? await multipartFile(bytes, type) : raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        if (this.hangWhen?.(api, body)) {
          const call: HungWecomCall = { api, body, abandoned: false };
          this.hung.push(call);
          res.once("close", () => (call.abandoned = true));
          return;
        }
        const response = this.answer(api, query, body);
        this.calls.push({ api, query, body, response });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(response));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(api: string, query: Record<string, string>, body: Record<string, unknown>): Record<string, unknown> {
    if (api === "gettoken") {
      if (query.corpid !== this.app.corpId) return { errcode: 40013, errmsg: "invalid corpid" };
      if (query.corpsecret !== this.app.secret) return { errcode: 40001, errmsg: "invalid credential" };
      const busy = this.failWhen?.(api, body);
      if (busy) return { errcode: busy.errcode, errmsg: busy.errmsg ?? "fake failure" };
      this.liveToken = `fake-token-${++this.issued}`;
      return { errcode: 0, errmsg: "ok", access_token: this.liveToken, expires_in: this.tokenLifetime };
    }
    if (api === "webhook/send") {
      if (!query.key) return { errcode: 93000, errmsg: "invalid webhook url" };
    } else {
      if (!query.access_token || query.access_token !== this.liveToken) return { errcode: 40014, errmsg: "invalid access_token" };
      if (this.expireNext) {
        this.expireNext = false;
        this.liveToken = null;
        return { errcode: 42001, errmsg: "access_token expired" };
      }
    }
    const failing = this.failWhen?.(api, body);
    if (failing) return { errcode: failing.errcode, errmsg: failing.errmsg ?? "fake failure" };
    const failure = this.failures.get(api)?.shift();
    if (failure) return failure;
    const image = body.msgtype === "image" ? (body.image as Record<string, unknown> | undefined) : undefined;
    if (image && api !== "webhook/send" && !this.media.has(String(image.media_id))) return { errcode: 40007, errmsg: "invalid media_id" };
    switch (api) {
      case "media/upload": {
        const media = body.media as { filename: string; type: string; bytes: Buffer } | null;
        if (query.type !== "image" || !media || media.bytes.length < 5 || media.bytes.length > 10 * 1024 * 1024) return { errcode: 40005, errmsg: "invalid file type" };
        const id = `media-${this.media.size + 1}`;
        this.media.set(id, media.bytes);
        return { errcode: 0, errmsg: "ok", type: "image", media_id: id, created_at: String(Math.floor(Date.now() / 1000)) };
      }
      case "webhook/send": {
        if (!image) return { errcode: 0, errmsg: "ok" };
        // The robot's image message: base64 of the bytes (2 MB at most) and their md5, which must agree.
        const decoded = Buffer.from(String(image.base64 ?? ""), "base64");
        if (decoded.length === 0 || decoded.length > 2 * 1024 * 1024) return { errcode: 40009, errmsg: "invalid image size" };
        if (createHash("md5").update(decoded).digest("hex") !== image.md5) return { errcode: 301019, errmsg: "media md5 not match" };
        this.robotImages.push({ key: query.key!, bytes: decoded });
        return { errcode: 0, errmsg: "ok" };
      }
      case "message/send": {
        const card = body.msgtype === "template_card" ? { response_code: `rc-send-${this.msgIds + 1}` } : {};
        const invalid = this.invisibleUsers.has(String(body.touser)) ? String(body.touser) : "";
        return { errcode: 0, errmsg: "ok", invaliduser: invalid, msgid: `msg-${++this.msgIds}`, ...card };
      }
      case "department/simplelist": {
        const id = Number(query.id);
        if (!this.departments.has(id)) return { errcode: 60123, errmsg: "invalid party id" };
        if (!this.visible(id)) return { errcode: 60011, errmsg: "no privilege to access/modify contact/party/agent" };
        return { errcode: 0, errmsg: "ok", department_id: this.subtree(id).map((d) => ({ id: d, parentid: this.departments.get(d), order: 0 })) };
      }
      case "user/list": {
        const id = Number(query.department_id);
        if (!this.departments.has(id)) return { errcode: 60123, errmsg: "invalid party id" };
        if (!this.visible(id)) return { errcode: 60011, errmsg: "no privilege to access/modify contact/party/agent" };
        return { errcode: 0, errmsg: "ok", userlist: [...this.people.values()].filter((u) => u.department.includes(id)).map((u) => this.shown(u)) };
      }
      case "user/get": {
        const user = this.people.get(String(query.userid));
        if (!user) return { errcode: 60111, errmsg: "invalid string value `userid`" };
        if (!user.department.some((d) => this.visible(d))) return { errcode: 60011, errmsg: "no privilege to access/modify contact/party/agent" };
        return { errcode: 0, errmsg: "ok", ...this.shown(user) };
      }
      case "message/update_template_card":
        return { errcode: 0, errmsg: "ok", invaliduser: [] };
      default:
        return { errcode: 0, errmsg: "ok" };
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** The `media` part of a multipart body: its file name, content type and bytes. */
async function multipartFile(bytes: Buffer, type: string): Promise<Record<string, unknown>> {
  const form = await new Request("http://fake/", { method: "POST", headers: { "content-type": type }, body: new Uint8Array(bytes) }).formData();
  const media = form.get("media");
  if (!media || typeof media === "string") return { media: null };
  return { media: { filename: media.name, type: media.type, bytes: Buffer.from(await media.arrayBuffer()) } };
}

// ── Callbacks, as WeCom builds them ─────────────────────────────────────────────────────────────────

/** Encrypt for `receiveId` (the corp id, unless a test forges another) with `@wecom/crypto`. */
export function sealFor(app: WecomTestApp, message: string, receiveId: string = app.corpId): string {
  return encrypt(app.encodingAesKey, message, receiveId);
}

/** AES-256-CBC of raw bytes with no padding added, for plaintexts WeCom would never produce (bad padding). */
export function encryptRaw(app: WecomTestApp, plain: Buffer): string {
  const key = Buffer.from(`${app.encodingAesKey}=`, "base64");
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

/** The documented plaintext layout before padding: 16 random bytes, length, message, receive id. */
export function plaintextLayout(message: string, receiveId: string): Buffer {
  const msg = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length, 0);
  return Buffer.concat([randomBytes(16), length, msg, Buffer.from(receiveId)]);
}

/** The query WeCom signs a callback with. */
export function signedQuery(app: WecomTestApp, encrypted: string, options: { timestamp?: string; nonce?: string; signature?: string } = {}): string {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(5).toString("hex");
  const signature = options.signature ?? getSignature(app.token, timestamp, nonce, encrypted);
  return `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
}

/** The XML envelope WeCom posts. */
export function envelope(app: WecomTestApp, encrypted: string): string {
  return `<xml><ToUserName><![CDATA[${app.corpId}]]></ToUserName><AgentID><![CDATA[${app.agentId}]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
}

/** A text message from a member, as WeCom's plaintext XML. */
export function textMessage(app: WecomTestApp, fields: { from: string; content: string; msgId: string; createTime?: number }): string {
  return `<xml><ToUserName><![CDATA[${app.corpId}]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName><CreateTime>${fields.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${fields.content}]]></Content><MsgId>${fields.msgId}</MsgId><AgentID>${app.agentId}</AgentID></xml>`;
}

/** A click on a button_interaction card (template_card_event), as WeCom's plaintext XML. */
export function cardEvent(app: WecomTestApp, fields: { from: string; eventKey: string; taskId: string; responseCode: string; createTime: number }): string {
  return `<xml><ToUserName><![CDATA[${app.corpId}]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName><CreateTime>${fields.createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[${fields.eventKey}]]></EventKey><TaskId><![CDATA[${fields.taskId}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[${fields.responseCode}]]></ResponseCode><AgentID>${app.agentId}</AgentID></xml>`;
}

/** What the bot answered a callback. */
export interface CallbackAnswer {
  readonly status: number;
  readonly text: string;
}

/** Posts a callback exactly as WeCom would: `message` encrypted, signed and enveloped, unless overridden. */
export async function postCallback(
  botUrl: string, app: WecomTestApp, message: string,
  override: { encrypted?: string; query?: string; body?: string } = {},
): Promise<CallbackAnswer> {
  const encrypted = override.encrypted ?? sealFor(app, message);
  const query = override.query ?? signedQuery(app, encrypted);
  const response = await fetch(`${botUrl}/wecom/callback?${query}`, { method: "POST", body: override.body ?? envelope(app, encrypted), headers: { "content-type": "text/xml" } });
  return { status: response.status, text: await response.text() };
}

/** WeCom's URL verification: GET with a signed, encrypted echostr (URL-encoded, as WeCom sends it). */
export async function verifyUrl(botUrl: string, app: WecomTestApp, echo: string, options: { signature?: string; receiveId?: string } = {}): Promise<CallbackAnswer> {
  const encrypted = sealFor(app, echo, options.receiveId);
  const query = `${signedQuery(app, encrypted, options.signature ? { signature: options.signature } : {})}&echostr=${encodeURIComponent(encrypted)}`;
  const response = await fetch(`${botUrl}/wecom/callback?${query}`);
  return { status: response.status, text: await response.text() };
}

/** Opens a passive reply the bot answered with: checks its signature and decrypts it as WeCom would. */
export function openPassiveReply(app: WecomTestApp, xml: string): { valid: boolean; message: string; receiveId: string } {
  const field = (name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)(?:\\]\\]>)?</${name}>`).exec(xml)?.[1] ?? "";
  const encrypted = field("Encrypt");
  const valid = getSignature(app.token, field("TimeStamp"), field("Nonce"), encrypted) === field("MsgSignature");
  const opened = decrypt(app.encodingAesKey, encrypted);
  return { valid, message: opened.message, receiveId: opened.id };
}
