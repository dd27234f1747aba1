import {
  App, AuthorizationError, HTTPModuleFunctions, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Authorize, type Logger as SlackLogger, type ReceiverProcessEventErrorHandlerArgs,
} from "@slack/bolt";
import type { Logger } from "pino";
import { z } from "zod";
import { t } from "../../commands/i18n.js";
import { formOf, formToCommand, type Form, type Reply } from "../../commands/reply.js";
import type { Actor } from "../../domain/account.js";
import type { RequestMeta, ServiceContext } from "../../services/context.js";
import { answerStranger } from "../../services/request-access.js";
import { recognizeByEmail } from "../../services/match-by-email.js";
import { myAccounts, openCommand, runCommand } from "../../services/run-command.js";
import { lookUpSlackUser } from "./directory.js";
import { readSlackMention } from "./mentions.js";
import type { Handler } from "../../server.js";
import { findActor } from "../../store/members.js";
import { enqueue } from "../../store/outbox.js";
import { SLACK } from "../limits.js";
import { withinBudget } from "../budget.js";
import { orBusy, workingOnIt } from "../busy.js";
import { fieldErrors, formView, messageText, replyBlocks, unescapeSlack, viewValues } from "./blocks.js";
import { pictureAnswer } from "./deliver.js";
import { HomeRefresher } from "./home-refresh.js";
import { receiveSlack } from "./receive.js";

/** What the Slack surface needs from the environment. */
export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret?: string;
  /** Set for Socket Mode; otherwise Slack posts to `POST /slack/events`. */
  readonly appToken?: string;
  /** Another base URL for the Web API (a proxy, or a fake Slack in tests), ending in `/api/`. */
  readonly apiUrl?: string;
  /** How long a command may take and still answer in its ack; 0 always acks "working…" first. */
  readonly ackBudgetMs?: number;
  /** At most one App Home refresh per user in this window (default HOME_REFRESH_MS). */
  readonly homeRefreshMs?: number;
}

/** The Slack surface: the route for the shared HTTP server (HTTP mode), the Web API client, and its lifecycle. */
export interface SlackSurface {
  readonly app: App;
  /** The Web API client with the bot token, for what the bot sends on its own (the outbox, App Home). */
  readonly client: webApi.WebClient;
  /** `POST /slack/events` for the shared server; null in Socket Mode. */
  readonly handler: Handler | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A command's answer rides in the ack when it is ready within this time; otherwise "working…" and a follow-up. */
const ACK_BUDGET_MS = 2_000;

/**
 * App Home is rebuilt (the member's accounts, SLA math on each) and published at most once per user in this
 * window, and within it after a change: the first change refreshes it as soon as no command is in progress, a
 * burst of later ones leaves a single trailing refresh (home-refresh.ts). The commands benchmark found a
 * rebuild after every command costing ten times the command itself, and Slack rate-limits views.publish anyway.
 */
const HOME_REFRESH_MS = 3_000;

/**
 * Form facts kept in a modal's private_metadata so its submission can be turned back into a command:
 * the form's command (`c`), each field's name and how it joins the command (`f`), and the form's id.
 * Read back with this schema: anything of another shape is answered, never thrown on.
 */
const ModalMetaSchema = z.object({
  c: z.string().min(1).max(SLACK.privateMetadata),
  f: z.array(z.tuple([z.string().min(1).max(SLACK.blockId), z.enum(["pair", "positional", "flag"])])).max(SLACK.modalBlocks),
  id: z.string().max(SLACK.privateMetadata),
});
type ModalMeta = z.infer<typeof ModalMetaSchema>;

/** Who a request is from: null until the command's first statement has read them, and for strangers. */
interface Sender {
  actor: Actor | null;
}

/** Web API client options shared by the app and the outbox: no hidden retries, the outbox owns them. */
export function slackClientOptions(apiUrl: string | undefined) {
  return { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000 };
}

/**
 * Builds the Bolt app over the one command language: slash commands, buttons, modals and App Home all
 * become `runCommand` calls as the member the Slack user is mapped to. Nothing here decides anything.
 */
export function createSlack(ctx: ServiceContext, config: SlackConfig, log: Logger): SlackSurface {
  const logger = boltLogger(log);
  const socketMode = Boolean(config.appToken);
  const receiver = socketMode
    ? undefined
    : new HTTPReceiver({
      // The one route to this receiver (receiveSlack, below) has checked the signature over these very bytes,
      // refusing anything unsigned or stale before Bolt sees it: Bolt checking it again cost ~2% of an accept's CPU.
      signingSecret: config.signingSecret ?? "", signatureVerification: false, endpoints: "/slack/events", logger, unhandledRequestTimeoutMillis: 2_900,
      processEventErrorHandler: async (args) => refuseUnroutable(args, log),
    });
  // Socket Mode opens its socket through `apps.connections.open`, which must honour SLACK_API_URL too.
  const socket = socketMode
    ? new SocketModeReceiver({ appToken: config.appToken!, logger, installerOptions: { clientOptions: slackClientOptions(config.apiUrl) } })
    : undefined;
  const client = new webApi.WebClient(config.botToken, slackClientOptions(config.apiUrl));
  // No conversation store: nothing reads `context.conversation`, and Bolt's in-memory one made (and threw away)
  // an Error with its stack for every request in a conversation it had never stored.
  const app = new App({
    authorize: botAuthorization(client, config.botToken, log), receiver: receiver ?? socket, logger, clientOptions: slackClientOptions(config.apiUrl), convoStore: false,
  });

  const memberOf = async (slackUserId: string): Promise<Actor | null> => findActor(ctx.db, { slackUserId });
  /**
   * A member's command runs as them, the member read by the command's own first statement (`openCommand`);
   * anyone else's asks the admins for access (in their Slack language). `sender` learns who it runs as as
   * soon as that is read, for what is said before the answer is ready.
   */
  const answerAs = async (user: { id: string; name?: string }, line: string, meta: RequestMeta, sender: Sender): Promise<Reply> => {
    const opened = await openCommand(ctx, { slackUserId: user.id }, line, meta);
    sender.actor = opened.actor;
    if (opened.actor) return opened.run();
    // A form submitted by someone unknown is refused on the form, not taken as a request for access.
    if (meta.form) return runCommand(ctx, null, line, meta);
    const known = await lookUpSlackUser(client, user.id);
    // Someone funnelbot knows by email (imported from WeCom, declared in funnelbot.yaml) is recognised by it.
    const recognized = known?.email && known.member ? await recognizeByEmail(ctx, "slack", user.id, known.email) : null;
    sender.actor = recognized;
    if (recognized) return runCommand(ctx, recognized, line, meta);
    return answerStranger(ctx, { platform: "slack", externalId: user.id, displayName: known?.name || user.name || user.id, locale: known?.locale ?? "en" }, line);
  };
  const homes = new HomeRefresher({
    windowMs: config.homeRefreshMs ?? HOME_REFRESH_MS,
    publish: (userId, actor) => publishHome(ctx, client, userId, actor),
    onError: (error) => log.warn({ err: describeError(error) }, "App Home refresh failed"),
  });
  // App Home's refreshes wait while a command is in progress (up to the window).
  const answer = async (user: { id: string; name?: string }, line: string, meta: RequestMeta, sender: Sender): Promise<Reply> => {
    const ended = homes.commandStarted();
    try {
      return await answerAs(user, line, meta, sender);
    } finally {
      ended();
    }
  };
  const meta = (key: string, form = false): RequestMeta => ({ platform: "slack", mentions: readSlackMention, key, ...(form ? { form } : {}) });
  const refreshHome = (userId: string, actor: Actor | null) => {
    if (actor) homes.changed(userId, actor);
  };
  const openForm = async (triggerId: string, form: Form, actor: Actor | null) => {
    const meta: ModalMeta = { c: form.command, f: form.fields.map((f) => [f.name, f.as ?? "pair"] as const), id: form.id };
    await client.views.open({ trigger_id: triggerId, view: formView(form, JSON.stringify(meta), actor?.locale ?? "en") });
  };

  app.command(/^\/(lead|account|funnel)$/, async ({ command, ack }) => {
    const sender: Sender = { actor: null };
    const line = `${command.command} ${unescapeSlack(command.text ?? "")}`;
    const work = orBusy(ctx, answer({ id: command.user_id, name: command.user_name }, line, meta(`slack:command:${command.trigger_id}`), sender), () => sender.actor?.locale);
    const budget = config.ackBudgetMs ?? ACK_BUDGET_MS;
    const asked = { channel: command.channel_id, user: command.user_id };
    const answered = await withinBudget(work, budget);
    if (!answered.done) {
      // In the member's language once the command has read who they are (both while the database is that slow).
      await ack({ response_type: "ephemeral", text: workingOnIt(sender.actor?.locale) });
      // The follow-up goes through the outbox, so a Slack outage or 429 cannot lose it. Once per command: a
      // retry of it that is late too (here or on another replica) replays the same answer and must not post it again.
      const late = await work;
      const pictured = pictureAnswer(late, asked, sender.actor?.locale ?? "en");
      const follow = [{ to: { kind: "response" as const, platform: "slack" as const, address: command.response_url }, reply: pictured?.answer ?? late }, ...(pictured ? [pictured.picture] : [])];
      if ((await enqueue(ctx.db, follow, ctx.clock(), { once: `slack:late:${command.trigger_id}` })) === 0) log.info({ command: command.command }, "late answer already queued for this command");
      return;
    }
    const reply = answered.value;
    const actor = sender.actor;
    // A picture (`/funnel chart`) cannot ride an ack: it is queued as an upload into this conversation.
    const pictured = pictureAnswer(reply, asked, actor?.locale ?? "en");
    if (pictured) {
      await enqueue(ctx.db, [pictured.picture], ctx.clock());
      await ack(ackBody(pictured.answer, actor));
      return;
    }
    const form = formOf(reply);
    if (form) {
      await ack();
      await openForm(command.trigger_id, form, actor);
      return;
    }
    await ack(ackBody(reply, actor));
    if (!reply.errorCode) refreshHome(command.user_id, actor);
  });

  // Buttons carry a line of the command language; the person who clicks runs it as themselves.
  app.action(/^(run|form):/, async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== "block_actions" || (action.type !== "button" && action.type !== "overflow") || !("action_ts" in action)) return;
    const sender: Sender = { actor: null };
    // A button carries its command as its value; an overflow menu (a digest row's actions) as the chosen option's.
    const line = action.type === "button" ? (action.value ?? "") : (action.selected_option?.value ?? "");
    // Each click has its own action_ts: a redelivered click replays its first answer, a second click is a new try.
    const key = `slack:action:${body.user.id}:${action.action_ts}`;
    const reply = await orBusy(ctx, answer({ id: body.user.id, name: body.user.name }, line, meta(key), sender), () => sender.actor?.locale);
    const actor = sender.actor;
    const form = formOf(reply);
    if (form) {
      await openForm(body.trigger_id, form, actor);
      return;
    }
    // The card itself is updated for everyone through the outbox; the clicker hears the outcome privately.
    await respond({ response_type: "ephemeral", replace_original: false, text: messageText(reply), blocks: replyBlocks(reply, SLACK.messageBlocks, actor?.locale) });
    if (!reply.errorCode) refreshHome(body.user.id, actor);
  });

  app.view("form", async ({ ack, body, view }) => {
    const fields = readMeta(view.private_metadata);
    if (!fields) {
      // Answered on the form itself (Slack needs an ack within 3 s, and `errors: {}` shows nothing).
      const actor = await memberOf(body.user.id);
      const text = t(actor?.locale ?? "en", "error.form-damaged");
      const field = view.blocks.find((b) => b.type === "input")?.block_id;
      await ack(field
        ? { response_action: "errors", errors: { [field]: text } }
        : { response_action: "update", view: { type: "modal", title: { type: "plain_text", text: "funnelbot" }, blocks: [{ type: "section", text: { type: "plain_text", text } }] } });
      return;
    }
    const form: Form = {
      id: fields.id, title: "", submitLabel: "", command: fields.c,
      fields: fields.f.map(([name, as]) => ({ name, as, label: name, kind: "text", required: false })),
    };
    const line = formToCommand(form, viewValues(view.state.values));
    const sender: Sender = { actor: null };
    const reply = await orBusy(ctx, answer({ id: body.user.id }, line, meta(`slack:view:${view.id}`, true), sender), () => sender.actor?.locale);
    const actor = sender.actor;
    if (reply.errorCode) {
      const errors = fieldErrors(reply);
      const first = fields.f[0]?.[0];
      const shown = Object.keys(errors).length > 0 ? errors : first ? { [first]: truncate(reply.text, 150) } : {};
      await ack({ response_action: "errors", errors: shown });
      return;
    }
    await ack();
    if (actor) await enqueue(ctx.db, [{ to: { kind: "member", memberId: actor.id }, reply: { ...reply, ephemeral: false } }], ctx.clock());
    refreshHome(body.user.id, actor);
  });

  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    const actor = await memberOf(event.user);
    await publishHome(ctx, client, event.user, actor);
  });

  app.error(async (error) => {
    log.error({ err: describeError(error) }, "Slack handler failed");
  });

  return {
    app,
    client,
    handler: receiver ? (req, res) => receiveSlack(receiver, config.signingSecret ?? "", req, res, log) : null,
    // In HTTP mode the shared server carries the route; Bolt needs no start of its own.
    start: async () => {
      if (socketMode) await app.start();
    },
    stop: async () => {
      homes.stop();
      if (socketMode) await app.stop();
    },
  };
}

/**
 * Bolt's authorize for the one bot token. Bolt's own (given `token`) calls auth.test in its constructor and
 * keeps that promise for good: with Slack's API unreachable at start-up the rejection went unhandled and
 * ended the process, and would have failed every later request. This one asks at start, keeps only an
 * answer, and meanwhile lets requests through with the token alone (the bot's ids only serve to ignore its
 * own messages, which it does not listen to), asking again on the next one.
 */
function botAuthorization(client: webApi.WebClient, botToken: string, log: Logger): Authorize<boolean> {
  let identity: Promise<{ botId?: string; botUserId?: string }> | null = null;
  const lookUp = () => (identity ??= client.auth.test().then(
    (result) => ({ botId: result.bot_id, botUserId: result.user_id }),
    (error: unknown) => {
      identity = null;
      log.warn({ err: describeError(error) }, "Slack auth.test failed; the next request will ask again");
      return {};
    },
  ));
  void lookUp();
  return async () => ({ botToken, ...(await lookUp()) });
}

/** App Home: my accounts by stage, overdue first, or a pointer to an admin for people we don't know. */
export async function publishHome(ctx: ServiceContext, client: webApi.WebClient, userId: string, actor: Actor | null): Promise<void> {
  const reply: Reply = actor
    ? await myAccounts(ctx, actor)
    : { text: "Ask an admin to add you to funnelbot.", blocks: [{ kind: "text", text: "Ask an admin to add you to funnelbot: `npx funnelbot members add <you> --slack " + userId + "`" }], ephemeral: true };
  await client.views.publish({ user_id: userId, view: { type: "home", blocks: replyBlocks(reply, SLACK.homeBlocks, actor?.locale) } });
}

function ackBody(reply: Reply, actor: Actor | null) {
  return { response_type: reply.ephemeral ? ("ephemeral" as const) : ("in_channel" as const), text: messageText(reply), blocks: replyBlocks(reply, SLACK.messageBlocks, actor?.locale) };
}

function readMeta(raw: string | undefined): ModalMeta | null {
  try {
    const meta = ModalMetaSchema.safeParse(JSON.parse(raw ?? ""));
    return meta.success ? meta.data : null;
  } catch {
    return null;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** An error as a log line: its name and message, never the request (tokens ride in headers). */
export function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, ...("code" in error ? { code: String(error.code) } : {}) };
  return { name: "Error", message: String(error) };
}

/** Bolt's logger interface over pino, so one log stream carries both. */
/**
 * What reaches Bolt's receiver as an error: our listeners' errors go to `app.error`, so only a failed
 * authorization and Bolt's own reading of a body it cannot route get here. A signed body of the wrong shape
 * (a `name` but no `user`, a view action without a view, a non-object `event`) makes Bolt throw a TypeError
 * before any listener runs, which its default handler answers with a 500: it gets a 400, as any other
 * malformed body does (receive.ts). An authorization failure keeps Bolt's answer (401).
 */
async function refuseUnroutable(args: ReceiverProcessEventErrorHandlerArgs, log: Logger): Promise<boolean> {
  if (args.error instanceof AuthorizationError || args.response.headersSent) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
  log.warn({ reason: "Malformed request body", err: describeError(args.error) }, "Slack request refused");
  args.response.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end("Malformed request body\n");
  return true;
}

function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: "slack" });
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(msg.map(String).join(" ")),
    info: (...msg: unknown[]) => child.info(msg.map(String).join(" ")),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(" ")),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(" ")),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
