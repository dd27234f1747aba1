import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { z } from "zod";
import { pick, t, type MessageKey } from "../../commands/i18n.js";
import { cleanText } from "../../commands/parser.js";
import { roleName } from "../../commands/render-notice.js";
import { formOf, formToCommand, type Form, type Locale, type Reply } from "../../commands/reply.js";
import { shownCommand } from "../../commands/vocabulary.js";
import type { Actor } from "../../domain/account.js";
import type { Delivery } from "../../jobs/outbox-worker.js";
import type { ServiceContext } from "../../services/context.js";
import { myAccounts, runCommand } from "../../services/run-command.js";
import { readRawBody, type Handler } from "../../server.js";
import { findActor, listMembers } from "../../store/members.js";
import type { OutboxRow } from "../../store/outbox.js";
import { listTeams } from "../../store/teams.js";
import { conversationOf, playgroundDeliverer } from "./deliver.js";
import { formHtml, replyHtml } from "./html.js";
import { PlaygroundInbox } from "./inbox.js";

/** What the playground needs: the secret that opens it (printed in the start-up banner). */
export interface PlaygroundConfig {
  readonly token: string;
}

/** The playground surface: its routes on the shared server and its outbox deliverer. */
export interface PlaygroundSurface {
  readonly routes: ReadonlyMap<string, Handler>;
  readonly deliver: (row: OutboxRow) => Promise<Delivery | null>;
  readonly inbox: PlaygroundInbox;
}

/** A fresh token for one run, Jupyter-style: whoever has the printed URL may use the page. */
export function newPlaygroundToken(): string {
  return randomBytes(20).toString("hex");
}

/** The header every POST carries the token in (the page reads it from its own HTML). */
export const TOKEN_HEADER = "x-funnelbot-token";
/** The largest request body the API reads; commands are short, forms a few fields. */
const MAX_BODY = 64 * 1024;
const PAGE_KEYS = [
  "playground.title", "playground.intro", "playground.who", "playground.language", "playground.home", "playground.dm",
  "playground.channels", "playground.digest", "playground.digest-show", "playground.placeholder", "playground.send",
  "playground.only-you", "playground.you-ran", "playground.updated", "playground.empty", "playground.bad-request",
  "playground.language-hint",
] as const satisfies readonly MessageKey[];

const STATIC = new URL("./static/", import.meta.url);
const asset = (name: string) => readFileSync(new URL(name, STATIC), "utf8");

const LocaleSchema = z.enum(["en", "zh-CN"]);
const HandleSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/);
/** A click's or submission's id, chosen by the page: the same id twice is one action (a double click). */
const ClickSchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);
const CommandBodySchema = z.object({ as: HandleSchema, line: z.string().max(20_000), locale: LocaleSchema.optional(), click: ClickSchema.optional() });
const FormBodySchema = z.object({
  as: HandleSchema,
  locale: LocaleSchema.optional(),
  click: ClickSchema.optional(),
  form: z.object({
    command: z.string().min(1).max(2_000),
    fields: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), as: z.enum(["pair", "positional", "flag"]) })).max(30),
  }),
  values: z.record(z.string(), z.union([z.string().max(2_000), z.array(z.string().max(500)).max(50)])),
});

/**
 * The local playground: a page on the shared server where anyone holding the start-up token picks a
 * member, types commands, clicks buttons and fills forms, all through `runCommand` as that member, and
 * sees the team channels and DMs the outbox delivers (see deliver.ts). Replies are rendered from the
 * same reply model as Slack's and WeCom's (html.ts); nothing here decides anything.
 *
 * Authentication: `GET /?token=…` sets an HttpOnly, SameSite=Strict cookie and redirects to `/`; every
 * other request needs that cookie, and every POST also the token in `x-funnelbot-token` with a JSON body,
 * so another site can neither read the page nor post to it.
 */
export function createPlayground(ctx: ServiceContext, config: PlaygroundConfig, log: Logger): PlaygroundSurface {
  const inbox = new PlaygroundInbox();
  const logger = log.child({ component: "playground" });
  const page = { html: asset("index.html"), js: asset("app.js"), css: asset("app.css") };
  const routes = new Map<string, Handler>();
  const route = (path: string, method: "GET" | "POST", handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void) => {
    routes.set(path, async (req, res) => {
      if (req.method !== method) return json(res, 405, { error: "Method not allowed" }, { allow: method });
      // Refusals hang up (connection: close), so a body still on its way cannot hold the socket.
      if (!signedIn(req, config.token) || (method === "POST" && !tokenHeader(req, config.token))) {
        req.resume();
        return json(res, 401, { error: t("en", "playground.unauthorized") }, { connection: "close" });
      }
      if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) {
        req.resume();
        return json(res, 413, { error: t(localeOfRequest(req), "playground.bad-request") }, { connection: "close" });
      }
      try {
        await handle(req, res);
      } catch (error) {
        // The person gets one calm sentence; the log gets the error's name and message, never the request.
        logger.error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, "playground request failed");
        if (!res.headersSent) json(res, 500, { error: t(localeOfRequest(req), "error.internal") });
      }
    });
  };

  routes.set("/", (req, res) => {
    if (req.method !== "GET") return json(res, 405, { error: "Method not allowed" }, { allow: "GET" });
    const given = new URL(req.url ?? "/", "http://localhost").searchParams.get("token");
    if (given !== null) {
      if (!same(given, config.token)) return unauthorizedPage(res);
      // The token leaves the address bar (and the history) at once; the cookie carries it from now on.
      const cookie = `${cookieName(req)}=${config.token}; HttpOnly; SameSite=Strict; Path=/`;
      res.writeHead(303, { location: "/", "set-cookie": cookie, "cache-control": "no-store", "referrer-policy": "no-referrer" }).end();
      return;
    }
    if (!signedIn(req, config.token)) return unauthorizedPage(res);
    html(res, page.html.replace("__TOKEN__", config.token));
  });
  // Browsers ask for it unprompted; there is none, and a 404 would read as an error in the console.
  routes.set("/favicon.ico", (_, res) => void res.writeHead(204, SECURITY_HEADERS).end());
  route("/playground/app.js", "GET", (_, res) => send(res, 200, page.js, "text/javascript; charset=utf-8"));
  route("/playground/app.css", "GET", (_, res) => send(res, 200, page.css, "text/css; charset=utf-8"));

  route("/playground/api/bootstrap", "GET", async (_, res) => {
    const [members, teams] = await Promise.all([listMembers(ctx.db).then((all) => all.filter((m) => m.active)), listTeams(ctx.db)]);
    const label = (key: string, locale: Locale) => {
      const team = ctx.playbook.teams.find((x) => x.key === key);
      return team ? pick(team.name, locale) : key;
    };
    const labels = Object.fromEntries((["en", "zh-CN"] as const).map((locale) => [locale, Object.fromEntries(PAGE_KEYS.map((k) => [k, t(locale, k)]))]));
    // A newcomer starts as a rep of the team that gets new leads assigned: their DM holds cards to act on.
    const assigned = ctx.playbook.stages.find((x) => x.assignTo)?.assignTo;
    const suggested = members.find((m) => m.teamKey === assigned && m.role === "rep") ?? members.find((m) => m.role === "rep") ?? members[0];
    json(res, 200, {
      playbook: ctx.playbook.name,
      // Message times are shown in the business timezone, the one the messages' own text uses.
      timezone: ctx.calendar.timezone,
      suggested: suggested?.handle ?? null,
      members: members.map((m) => ({ handle: m.handle, name: m.displayName, team: m.teamKey, teamName: { en: label(m.teamKey, "en"), "zh-CN": label(m.teamKey, "zh-CN") }, role: m.role,
        roleName: { en: roleName(ctx.playbook, m.teamKey, m.role, "en"), "zh-CN": roleName(ctx.playbook, m.teamKey, m.role, "zh-CN") }, locale: m.locale,
      })),
      teams: teams.map((x) => ({ key: x.key, name: { en: label(x.key, "en"), "zh-CN": label(x.key, "zh-CN") } })),
      labels,
    });
  });

  route("/playground/api/feed", "GET", async (req, res) => {
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    const actor = await actorOf(ctx, query.get("as"), null);
    if (!actor) return badRequest(res, localeOfRequest(req));
    const version = inbox.version;
    if (query.get("since") === String(version)) return json(res, 200, { version, changed: false });
    const teams = await listTeams(ctx.db);
    const conversation = (key: string) => inbox.messages(key).map((m) => ({
      id: m.id, at: m.at.toISOString(), updated: m.updatedAt !== null, html: replyHtml(m.reply, m.locale),
    }));
    json(res, 200, {
      version, changed: true,
      conversations: [
        { key: conversationOf("member", String(actor.id)), kind: "dm", messages: conversation(conversationOf("member", String(actor.id))) },
        ...teams.map((x) => ({ key: conversationOf("team", x.key), kind: "team", team: x.key, messages: conversation(conversationOf("team", x.key)) })),
      ],
    });
  });

  route("/playground/api/home", "GET", async (req, res) => {
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    const locale = LocaleSchema.safeParse(query.get("locale"));
    const actor = await actorOf(ctx, query.get("as"), locale.success ? locale.data : null);
    if (!actor) return badRequest(res, localeOfRequest(req));
    json(res, 200, { html: replyHtml(await myAccounts(ctx, actor), actor.locale) });
  });

  route("/playground/api/command", "POST", async (req, res) => {
    const body = CommandBodySchema.safeParse(await readJson(req));
    if (!body.success) return badRequest(res, localeOfRequest(req));
    const actor = await actorOf(ctx, body.data.as, body.data.locale ?? null);
    const reply = await runCommand(ctx, actor, body.data.line, { platform: "playground", key: clickKey(actor, body.data.click) });
    const locale = actor?.locale ?? body.data.locale ?? "en";
    // What was run, echoed as this person would type it, for a click as for a typed line (`/lead accept #7`, 线索 接受 #7).
    json(res, 200, { ...answer(reply, locale), ran: shownCommand(cleanText(body.data.line), locale) });
  });

  route("/playground/api/form", "POST", async (req, res) => {
    const body = FormBodySchema.safeParse(await readJson(req));
    if (!body.success) return badRequest(res, localeOfRequest(req));
    const actor = await actorOf(ctx, body.data.as, body.data.locale ?? null);
    // As a Slack modal's private_metadata: the command and how each field joins it; the values are the person's.
    const form: Form = {
      id: "playground", title: "", submitLabel: "", command: body.data.form.command,
      fields: body.data.form.fields.map((f) => ({ name: f.name, as: f.as, label: f.name, kind: "text", required: false })),
    };
    const line = formToCommand(form, body.data.values);
    const reply = await runCommand(ctx, actor, line, { platform: "playground", key: clickKey(actor, body.data.click), form: true });
    const locale = actor?.locale ?? body.data.locale ?? "en";
    json(res, 200, { ...answer(reply, locale, true), ran: shownCommand(line, locale) });
  });

  return { routes, deliver: playgroundDeliverer(ctx, inbox), inbox };
}

/**
 * A reply as the page shows it: its HTML, or the form it answers with (opened as a dialog, as Slack opens a modal).
 * A refused submission shows its refusal in the form: beside the fields it names, or, when it names none (a
 * checklist with nothing ticked), at the top of the form.
 */
function answer(reply: Reply, locale: Locale, submitted = false) {
  const form = formOf(reply);
  const problem = submitted && reply.errorCode && form && !form.fields.some((f) => f.error) ? reply.text.replace(/^⚠️\s*/, "") : undefined;
  return {
    text: reply.text, ephemeral: reply.ephemeral, errorCode: reply.errorCode ?? null,
    html: replyHtml({ ...reply, blocks: reply.blocks.filter((b) => b.kind !== "form") }, locale),
    form: form ? formHtml(form, locale, problem) : null,
  };
}

/** The member a request acts as, in the language the page asked for (the member's own by default). */
async function actorOf(ctx: ServiceContext, handle: string | null, locale: Locale | null): Promise<Actor | null> {
  const parsed = HandleSchema.safeParse(handle);
  const member = parsed.success ? await findActor(ctx.db, { handle: parsed.data }) : null;
  return member && locale ? { ...member, locale } : member;
}

function clickKey(actor: Actor | null, click: string | undefined): string | null {
  return actor && click ? `playground:${actor.id}:${click}` : null;
}

/** Cookies are shared by every port of a host, so each playground names its cookie after its port. */
function cookieName(req: IncomingMessage): string {
  return `funnelbot_playground_${req.socket.localPort ?? 0}`;
}

function signedIn(req: IncomingMessage, token: string): boolean {
  const wanted = `${cookieName(req)}=`;
  const cookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).find((c) => c.startsWith(wanted));
  return cookie !== undefined && same(cookie.slice(wanted.length), token);
}

function tokenHeader(req: IncomingMessage, token: string): boolean {
  const header = req.headers[TOKEN_HEADER];
  const type = req.headers["content-type"] ?? "";
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never grants.
  return typeof header === "string" && same(header, token) && /^application\/json\b/i.test(type);
}

/** Constant-time comparison of two strings of any length. */
function same(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function localeOfRequest(req: IncomingMessage): Locale {
  return /^zh\b/i.test(req.headers["accept-language"] ?? "") ? "zh-CN" : "en";
}

/** The JSON body, or null when it is too large or not JSON; the rest of a large body is drained, not kept. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readRawBody(req, MAX_BODY);
  if (raw === null) return null;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return null;
  }
}

const SECURITY_HEADERS = { "x-content-type-options": "nosniff", "cache-control": "no-store", "referrer-policy": "no-referrer" };

function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, ...SECURITY_HEADERS, ...headers }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), "application/json; charset=utf-8", headers);
}

function badRequest(res: ServerResponse, locale: Locale): void {
  json(res, 400, { error: t(locale, "playground.bad-request") });
}

// Scripts and styles come from this server only: no inline script, no CDN, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function html(res: ServerResponse, body: string, status = 200): void {
  send(res, status, body, "text/html; charset=utf-8", { "content-security-policy": CSP, "x-frame-options": "DENY" });
}

function unauthorizedPage(res: ServerResponse): void {
  const text = `${t("en", "playground.unauthorized")}<br>${t("zh-CN", "playground.unauthorized")}`;
  html(res, `<!doctype html><meta charset="utf-8"><title>funnelbot</title><p>${text.replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`, 401);
}
