import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import type { Server } from "node:http";
import type { Logger } from "pino";
import { OutboxWorker, type Delivery } from "./jobs/outbox-worker.js";
import { startScheduler } from "./jobs/scheduler.js";
import { outcomeOfCopies } from "./platforms/deadline.js";
import { createHooks } from "./platforms/hooks/app.js";
import type { PlaygroundConfig } from "./platforms/playground/app.js";
import type { SlackConfig } from "./platforms/slack/app.js";
import type { WecomConfig } from "./platforms/wecom/app.js";
import { closeHttpServer, createHttpServer, type Handler } from "./server.js";
import type { ServiceContext } from "./services/context.js";
import type { Database } from "./store/database.js";
import { closePostedCards, type OutboxRow } from "./store/outbox.js";

/** Which surfaces to run and where to listen. */
export interface BotOptions {
  readonly port: number;
  readonly host: string;
  readonly slack?: SlackConfig;
  readonly wecom?: WecomConfig;
  /** The local web page at `/`, alone or beside Slack and WeCom. */
  readonly playground?: PlaygroundConfig;
  /** How often the outbox worker looks for due messages. */
  readonly outboxIntervalMs?: number;
  /** The outbox worker's claim lease (default 60 s); a delivery may take a quarter of it. */
  readonly outboxLeaseMs?: number;
  readonly workerId?: string;
  /** Local time of the daily digests, `HH:mm` in each team's timezone (default 09:30). */
  readonly digestTime?: string;
  /** The shared secret of `/hooks/leads` and `/hooks/activity`; without it they refuse every request. */
  readonly hookSecret?: string | null;
  /** False: no digests or automations from this process (tests that drive the jobs themselves). */
  readonly scheduler?: boolean;
  /** How long an idle keep-alive connection stays open (default 75 s: longer than the proxy in front keeps it). */
  readonly keepAliveMs?: number;
}

/** A running bot: the shared HTTP server, its platforms and the outbox worker. */
export interface RunningBot {
  readonly server: Server;
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly worker: OutboxWorker;
  close(): Promise<void>;
}

/** Starts the platforms over one context, the HTTP server they share, and the outbox worker. */
export async function startBot(ctx: ServiceContext, options: BotOptions, log: Logger): Promise<RunningBot> {
  const routes = new Map<string, Handler>();
  const deliverers: PlatformDeliver[] = [];
  const stops: (() => Promise<void>)[] = [];
  // Each surface's code is loaded only when it is configured: a Slack-only bot never loads WeCom's XML and
  // crypto or the playground, a WeCom-only one never loads Bolt.
  if (options.playground) {
    const { createPlayground } = await import("./platforms/playground/app.js");
    const playground = createPlayground(ctx, options.playground, log);
    for (const [path, handler] of playground.routes) routes.set(path, handler);
    // First, because it shows every message and claims none (it answers null), so the others still deliver.
    deliverers.push(playground.deliver);
  }
  if (options.slack) {
    const [{ createSlack }, { slackDeliverer }] = await Promise.all([import("./platforms/slack/app.js"), import("./platforms/slack/deliver.js")]);
    const slack = createSlack(ctx, options.slack, log);
    await slack.start();
    if (slack.handler) routes.set("/slack/events", slack.handler);
    deliverers.push(slackDeliverer(ctx, slack.client, log));
    stops.push(() => slack.stop());
  }
  if (options.wecom) {
    const { createWecom } = await import("./platforms/wecom/app.js");
    const wecom = createWecom(ctx, options.wecom, log);
    routes.set("/wecom/callback", wecom.handler);
    deliverers.push(wecom.deliver);
  }
  const hooks = createHooks(ctx, options.hookSecret ?? null, log);
  routes.set("/hooks/leads", hooks.leads);
  routes.set("/hooks/activity", hooks.activity);
  const worker = new OutboxWorker({
    db: ctx.db, clock: ctx.clock, log, workerId: options.workerId, ...(options.outboxLeaseMs ? { leaseMs: options.outboxLeaseMs } : {}),
    // A message no platform can address (nobody on Slack, say) has nothing left to do.
    deliver: async (row, deadline) => {
      // An account's cards may be on several platforms: each updates its own copies (and retires them, with
      // the mark or at once before a retry, so a retry does not update them twice). Any other message goes to
      // the first platform that can address it.
      if (row.targetKind === "cards") return deliverEverywhere(ctx.db, deliverers, row, deadline);
      for (const deliver of deliverers) {
        const done = await deliver(row, deadline);
        if (done) return done;
      }
      return { kind: "sent" };
    },
  });
  worker.start(options.outboxIntervalMs ?? 500);
  const scheduler = options.scheduler === false ? null : startScheduler(ctx, {
    log, workerId: options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`, digestTime: options.digestTime,
  });
  const server = createHttpServer(ctx.db, log, routes, options.keepAliveMs);
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host}:${port}`,
    worker,
    close: async () => {
      await closeHttpServer(server);
      await scheduler?.stop();
      await worker.stop();
      for (const stop of stops) await stop();
    },
  };
}

/** One platform's attempt at a row, within the row's deadline; null when the row has no address there. */
type PlatformDeliver = (row: OutboxRow, deadline?: AbortSignal) => Promise<Delivery | null>;

/**
 * Every platform's attempt at one row, at once (each updates its own copies, so one hanging platform does
 * not hold back the other): a throttle, else a retry, else a failure, else sent.
 */
async function deliverEverywhere(db: Database, deliverers: readonly PlatformDeliver[], row: OutboxRow, deadline: AbortSignal): Promise<Delivery> {
  const done = (await Promise.all(deliverers.map((deliver) => deliver(row, deadline)))).filter((d): d is Delivery => d !== null);
  // Cards a platform finished with are retired with the mark; if another platform's attempt is to be retried,
  // at once, so the retry does not update them again.
  const retire = done.flatMap((d) => (d.kind === "sent" ? (d.retire ?? []) : []));
  const unsent = outcomeOfCopies(done.filter((d) => d.kind !== "sent"));
  if (!unsent) return { kind: "sent", retire };
  await closePostedCards(db, retire);
  return unsent;
}
