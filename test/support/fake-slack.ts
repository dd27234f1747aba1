/** A fake Slack Web API on 127.0.0.1 that records every call, and helpers to sign requests as Slack does. */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/** One call the bot made: a Web API method, or a POST to a response_url. */
export interface SlackCall {
  readonly method: string;
  /** The request path, which tells response_urls apart. */
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly token: string | null;
  /** What the fake answered. */
  readonly response: Record<string, unknown>;
}

/** A user object as Slack's `users.info` documents it (the fields funnelbot reads). */
export interface SlackUser {
  readonly id: string;
  readonly name: string;
  readonly deleted?: boolean;
  readonly is_bot?: boolean;
  readonly real_name?: string;
  readonly locale?: string;
  readonly profile: { readonly real_name?: string; readonly display_name?: string; readonly email?: string };
}

/** A Slack user for tests: `name` as their real name, a lower-case handle, an email at example.com. */
export function slackUser(id: string, realName: string, extra: Partial<SlackUser> = {}): SlackUser {
  const handle = realName.toLowerCase().replace(/[^a-z0-9]+/g, ".");
  return { id, name: handle, real_name: realName, locale: "en-US", ...extra, profile: { real_name: realName, display_name: handle, email: `${handle}@example.com`, ...extra.profile } };
}

/** The bot scopes each directory method needs (any one of them), from Slack's method reference. */
const SCOPES: Readonly<Record<string, readonly string[]>> = {
  "conversations.members": ["channels:read", "groups:read", "im:read", "mpim:read"],
  "users.info": ["users:read"],
  "users.lookupByEmail": ["users:read.email"],
};

/** A call the fake never answered (see `hangWhen`): whether the caller gave up on it and closed its connection. */
export interface HungCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  abandoned: boolean;
}

/** How the next call to a method fails. */
export interface Failure {
  readonly status: number;
  readonly retryAfter?: number;
  readonly error?: string;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** The workspace's people, as `users.info` returns them (Slack's user object); others are `user_not_found`. */
  readonly users = new Map<string, SlackUser>();
  /** Channels' member ids, as `conversations.members` pages them; others are `channel_not_found`. */
  readonly channels = new Map<string, string[]>();
  /** The most `conversations.members` returns per page, whatever `limit` asks (Slack may return fewer). */
  pageSize = 100;
  /** The bot token's scopes; a directory method without one it needs answers `missing_scope`. Null grants all. */
  scopes: Set<string> | null = null;
  private readonly failures = new Map<string, Failure[]>();
  private server: Server | null = null;
  private ts = 1_700_000_000;
  url = "";

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url Slack would hand the bot with a command or a click. */
  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  /** Decides, call by call, whether to fail (checked before `failNext`); null lets the call through. */
  failWhen: ((method: string, body: Record<string, unknown>) => Failure | null) | null = null;

  /** Milliseconds to hold each answer to `method` (recorded first, as Slack does the work before it answers); 0 or null answers at once. */
  delayWhen: ((method: string) => number) | null = null;

  /** Calls to hold without ever answering (a hung Slack): kept in `hung`, not in `calls`, as nothing was done. */
  hangWhen: ((method: string, body: Record<string, unknown>) => boolean) | null = null;
  readonly hung: HungCall[] = [];

  /** The next `count` calls to `method` fail this way. */
  failNext(method: string, count: number, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array.from({ length: count }, () => failure)]);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until a call matching `match` has arrived (polling; bounded by `timeoutMs`). */
  async waitFor(method: string, match: (call: SlackCall) => boolean = () => true, timeoutMs = 5_000): Promise<SlackCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find((c) => c.method === method && match(c));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} call arrived; got ${this.calls.map((c) => c.method).join(", ") || "none"}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const path = (req.url ?? "").split("?")[0]!;
        const method = path.startsWith("/api/") ? path.slice(5) : path.startsWith("/response/") ? "response_url" : path.startsWith("/upload/") ? "upload" : path;
        const body = method === "upload" ? { fileId: path.slice("/upload/".length), bytes: raw.length } : parseBody(raw.toString("utf8"), req.headers["content-type"] ?? "");
        if (method === "upload") this.receiveUpload(path.slice("/upload/".length), raw);
        if (this.hangWhen?.(method, body)) {
          const call: HungCall = { method, body, abandoned: false };
          this.hung.push(call);
          res.once("close", () => (call.abandoned = true));
          return;
        }
        const failure = this.failWhen?.(method, body) ?? this.failures.get(method)?.shift();
        if (failure) {
          res.writeHead(failure.status, { "content-type": "application/json", ...(failure.retryAfter ? { "retry-after": String(failure.retryAfter) } : {}) });
          res.end(JSON.stringify({ ok: false, error: failure.error ?? "fake_failure" }));
          return;
        }
        const auth = req.headers.authorization;
        const response = this.answer(method, body);
        this.calls.push({ method, path, body, token: auth ? auth.replace(/^Bearer /, "") : typeof body.token === "string" ? body.token : null, response });
        const delay = this.delayWhen?.(method) ?? 0;
        const send = () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(response));
        };
        if (delay > 0) setTimeout(send, delay);
        else send();
      });
    });
    this.server.on("upgrade", (req, socket, head) => {
      this.sockets.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        ws.on("message", (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
          if (message.envelope_id) this.acks.get(message.envelope_id)?.(message.payload ?? {});
        });
        ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake", approximate_connection_time: 3600 }, connection_info: { app_id: "A0001" } }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets.clients) socket.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // Socket Mode: `apps.connections.open` hands out this server's WebSocket URL; Slack says hello on connect.
  private readonly sockets = new WebSocketServer({ noServer: true });
  private socket: WebSocket | null = null;
  private readonly acks = new Map<string, (payload: Record<string, unknown>) => void>();

  /** Resolves once the app has opened its Socket Mode connection. */
  async socketConnected(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.socket) {
      if (Date.now() > deadline) throw new Error("the app never opened its Socket Mode connection");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends an envelope down the socket as Slack would, and resolves with the app's ack payload. */
  async sendEnvelope(type: string, payload: Record<string, unknown>, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    await this.socketConnected();
    const id = `env-${Math.random().toString(36).slice(2)}`;
    const acked = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.acks.set(id, resolve);
      setTimeout(() => reject(new Error(`no ack for ${type} envelope`)), timeoutMs).unref();
    });
    this.socket!.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: true, retry_attempt: 0, retry_reason: "" }));
    return acked;
  }

  // The files upload flow: URLs handed out, bytes received, files shared into channels.
  private fileSeq = 0;
  private readonly pending = new Map<string, { filename: string; length: number; bytes: Buffer | null }>();
  /** Conversations the bot is not a member of: sharing a file into one answers `not_in_channel`, as Slack does. */
  readonly notIn = new Set<string>();
  /** Files completed and shared, with their bytes, in order. */
  readonly shared: { id: string; title: string | null; filename: string; bytes: Buffer; channel: string }[] = [];

  private receiveUpload(id: string, bytes: Buffer): void {
    const pending = this.pending.get(id);
    if (pending) pending.bytes = bytes;
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack.com/", team: "Fake", user: "funnelbot", team_id: "T0001", user_id: "UBOT", bot_id: "BBOT" };
      case "chat.postMessage":
        this.ts += 1;
        return { ok: true, channel: body.channel, ts: `${this.ts}.000100`, message: { text: body.text } };
      case "chat.update":
        return { ok: true, channel: body.channel, ts: body.ts };
      case "files.getUploadURLExternal": {
        // As documented: filename and length are required; the URL is where the bytes go.
        if (!body.filename || !Number(body.length)) return { ok: false, error: "invalid_arguments" };
        const id = `F${String(++this.fileSeq).padStart(8, "0")}`;
        this.pending.set(id, { filename: String(body.filename), length: Number(body.length), bytes: null });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const files = (typeof body.files === "string" ? JSON.parse(body.files) : body.files) as { id: string; title?: string }[] | undefined;
        const uploaded = (files ?? []).map((f) => ({ f, pending: this.pending.get(f.id) }));
        // Only files whose bytes arrived, whole, can be completed.
        if (!files?.length || uploaded.some((u) => !u.pending?.bytes || u.pending.bytes.length !== u.pending.length)) return { ok: false, error: "file_not_found" };
        if (typeof body.channel_id === "string" && this.notIn.has(body.channel_id)) return { ok: false, error: "not_in_channel" };
        for (const { f, pending } of uploaded) {
          this.shared.push({ id: f.id, title: f.title ?? null, filename: pending!.filename, bytes: pending!.bytes!, channel: String(body.channel_id ?? body.channels ?? "") });
          this.pending.delete(f.id);
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
      }
      case "apps.connections.open":
        return { ok: true, url: `${this.url.replace("http", "ws")}/link/?ticket=fake` };
      case "conversations.members":
      case "users.info":
      case "users.lookupByEmail": {
        const needs = SCOPES[method]!;
        if (this.scopes && !needs.some((scope) => this.scopes!.has(scope))) return { ok: false, error: "missing_scope", needed: needs.join(","), provided: [...this.scopes].join(",") };
        return this.directory(method, body);
      }
      case "views.open":
      case "views.publish":
        return { ok: true, view: { id: `V${this.calls.length}` } };
      default:
        return { ok: true };
    }
  }

  /** The directory methods, as Slack documents their answers. */
  private directory(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "conversations.members": {
        const members = this.channels.get(String(body.channel));
        if (!members) return { ok: false, error: "channel_not_found" };
        const start = body.cursor ? Number(Buffer.from(String(body.cursor), "base64").toString("utf8").replace(/^offset:/, "")) : 0;
        if (!Number.isInteger(start) || start < 0 || start > members.length) return { ok: false, error: "invalid_cursor" };
        const end = Math.min(members.length, start + Math.min(Number(body.limit ?? 100) || 100, this.pageSize));
        // The last page has an empty next_cursor, as Slack's pagination does.
        const next = end < members.length ? Buffer.from(`offset:${end}`).toString("base64") : "";
        return { ok: true, members: members.slice(start, end), response_metadata: { next_cursor: next } };
      }
      case "users.info": {
        const user = this.users.get(String(body.user));
        if (!user) return { ok: false, error: "user_not_found" };
        // `locale` is only in the answer when asked for with include_locale, as Slack does.
        const { locale, ...rest } = user;
        return { ok: true, user: String(body.include_locale) === "true" ? { ...rest, locale } : rest };
      }
      default: {
        // users.lookupByEmail: the email compared without regard to case; no locale in the answer.
        const email = String(body.email ?? "").toLowerCase();
        const user = [...this.users.values()].find((u) => u.profile.email?.toLowerCase() === email);
        if (!user) return { ok: false, error: "users_not_found" };
        const { locale: _locale, ...rest } = user;
        return { ok: true, user: rest };
      }
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

// The Web API client posts form-encoded bodies with nested values (blocks, views) as JSON strings.
function parseBody(raw: string, type: string): Record<string, unknown> {
  if (type.includes("application/json")) return JSON.parse(raw || "{}") as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return out;
}

/** Headers Slack sends: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackHeaders(secret: string, body: string, contentType: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return { "content-type": contentType, "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature };
}

/** Posts to the bot exactly as Slack would, signed unless `headers` overrides it. */
export async function postToBot(url: string, secret: string, body: string, contentType: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", body, headers: { ...slackHeaders(secret, body, contentType), ...headers }, ...(signal ? { signal } : {}) });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** A slash command's form-encoded body. */
export function commandBody(fake: FakeSlack, fields: { command: string; text: string; userId: string; channelId?: string }): string {
  const id = Math.random().toString(36).slice(2);
  return new URLSearchParams({
    token: "legacy-verification-token", team_id: "T0001", team_domain: "fake", channel_id: fields.channelId ?? "C_SALES", channel_name: "sales",
    user_id: fields.userId, user_name: fields.userId.toLowerCase(), command: fields.command, text: fields.text, api_app_id: "A0001",
    is_enterprise_install: "false", response_url: fake.responseUrl(`cmd-${id}`), trigger_id: `trigger.${id}`,
  }).toString();
}

interface ActionFields { userId: string; channel: string; messageTs: string; actionId: string; value: string; actionTs?: string }

/** A `block_actions` payload for `action` (its type-specific fields) on a message in `channel`. */
function blockActionsBody(fake: FakeSlack, fields: ActionFields, action: Record<string, unknown>): string {
  const id = Math.random().toString(36).slice(2);
  const payload = {
    type: "block_actions", user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: "T0001" }, api_app_id: "A0001",
    token: "legacy-verification-token", container: { type: "message", message_ts: fields.messageTs, channel_id: fields.channel, is_ephemeral: false },
    trigger_id: `trigger.${id}`, team: { id: "T0001", domain: "fake" }, channel: { id: fields.channel, name: "x" },
    message: { type: "message", ts: fields.messageTs, text: "" }, response_url: fake.responseUrl(`act-${id}`),
    actions: [{ action_id: fields.actionId, block_id: "b1", ...action, action_ts: fields.actionTs ?? `${Date.now() / 1000}${id.length}` }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** A `block_actions` payload for a click on `button` of a message in `channel`. */
export function blockActionBody(fake: FakeSlack, fields: Omit<ActionFields, "actionTs">): string {
  return blockActionsBody(fake, fields, { type: "button", value: fields.value, text: { type: "plain_text", text: "x" } });
}

/** A `block_actions` payload for choosing `value` in a row's overflow menu (a digest's row actions). */
export function overflowActionBody(fake: FakeSlack, fields: ActionFields): string {
  return blockActionsBody(fake, fields, { type: "overflow", selected_option: { text: { type: "plain_text", text: "x" }, value: fields.value } });
}

/** A `view_submission` payload for the modal `view` (as opened) with `values` as Slack's state.values. */
export function viewSubmissionBody(fields: { userId: string; view: Record<string, unknown>; values: Record<string, Record<string, unknown>>; viewId?: string }): string {
  const payload = {
    type: "view_submission", team: { id: "T0001", domain: "fake" }, user: { id: fields.userId, username: fields.userId.toLowerCase(), team_id: "T0001" },
    api_app_id: "A0001", token: "legacy-verification-token", trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    view: { ...fields.view, id: fields.viewId ?? `V${Math.random().toString(36).slice(2)}`, team_id: "T0001", state: { values: fields.values }, hash: "h" },
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** An Events API callback (`app_home_opened`, say). */
export function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({ token: "legacy-verification-token", team_id: "T0001", api_app_id: "A0001", type: "event_callback", event_id: `Ev${Date.now()}`, event_time: Math.floor(Date.now() / 1000), event });
}
