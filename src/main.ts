import { ConfigError, loadEnv, type Env } from "./config/env.js";
import { createLogger } from "./logger.js";
import { startBot } from "./bot.js";
import { seedDemo } from "./services/seed-demo.js";
import { applyConfig } from "./services/apply-config.js";
import { readFunnelConfig } from "./config/funnel-config.js";
import { openContext } from "./wiring.js";

// Start-up wiring only: config → store → platforms → server.

/** Longest a clean shutdown may take; container runtimes send SIGKILL after 10 s unless told otherwise. */
const SHUTDOWN_DEADLINE_MS = 8_000;

/** The platforms the environment configures, as the banner names them. */
function platformModes(env: Env): string[] {
  const found: string[] = [];
  if (env.SLACK_BOT_TOKEN) found.push(env.SLACK_APP_TOKEN ? "Slack Socket Mode" : "Slack HTTP");
  if (env.WECOM_CORP_ID) found.push("WeCom");
  return found;
}

/** Where people open what is running: the loopback and wildcard addresses read best as localhost. */
function publicBase(host: string, port: number): string {
  const local = ["127.0.0.1", "localhost", "0.0.0.0", "::", "::1"].includes(host);
  return `http://${local ? "localhost" : host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Starts the stderr line that carries the playground's sign-in link when stdout is not a terminal. */
const SIGN_IN_MARKER = "[funnelbot playground sign-in: secret, keep out of logs]";

/**
 * The start-up banner: which modes run, where to open them, and which variables switch to the others.
 * `signIn` is the playground's link when it may be shown here, or "stderr" when it went there instead.
 */
function banner(options: { database: string; playbook: string; base: string; platforms: readonly string[]; signIn: string | null; seeded: number; hooks: boolean }): string {
  const { base, platforms, signIn } = options;
  const modes = [...(signIn ? ["playground"] : []), ...platforms];
  const lines = [
    `funnelbot is running on ${options.database} with the ${options.playbook} playbook.`,
    `Mode: ${modes.length ? modes.join(" + ") : "no chat surface (CLI and /healthz only)"}`,
  ];
  if (signIn) {
    lines.push(signIn === "stderr" ? `  Playground: open the link on stderr, on the line starting ${SIGN_IN_MARKER}` : `  Playground: open ${signIn}`);
    lines.push(`              (a new token on every start; ${options.seeded ? `seeded ${options.seeded} demo accounts` : "on the data already in the database"})`);
  }
  if (platforms.includes("Slack HTTP")) lines.push(`  Slack HTTP: Slack posts to ${base}/slack/events (set that URL in the app's manifest)`);
  if (platforms.includes("Slack Socket Mode")) lines.push("  Slack Socket Mode: connected out through SLACK_APP_TOKEN; no public URL needed");
  if (platforms.includes("WeCom")) lines.push(`  WeCom: callback at ${base}/wecom/callback`);
  lines.push(options.hooks ? `  Lead webhooks: POST ${base}/hooks/leads and ${base}/hooks/activity` : "  Lead webhooks: off (set FUNNEL_HOOK_SECRET to accept them)");
  lines.push(`  Health: ${base}/healthz · CLI: npx funnelbot lead mine --as alice`);
  lines.push(
    "Switch modes with environment variables (see README, Configuration):",
    "  Slack HTTP: SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET · Slack Socket Mode: add SLACK_APP_TOKEN",
    "  WeCom: WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_ENCODING_AES_KEY",
    "  Playground: on by default without a platform; PLAYGROUND=1 runs it beside Slack/WeCom, PLAYGROUND=0 turns it off",
  );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  const { ctx, close } = await openContext(env);
  const platforms = platformModes(env);
  // The declared teams and members first, so a configured workspace is never seeded with demo data.
  if (env.FUNNEL_CONFIG) {
    const applied = await applyConfig(ctx, readFunnelConfig(env.FUNNEL_CONFIG));
    log.info({ file: env.FUNNEL_CONFIG, changes: applied.changes, notes: applied.notes }, applied.changes.length ? `applied ${applied.changes.length} change(s) from ${env.FUNNEL_CONFIG}` : `${env.FUNNEL_CONFIG}: no changes`);
  }
  // Demo data only where no real workspace is connected: a Slack or WeCom team never gets fake accounts.
  let seeded = 0;
  if (platforms.length === 0) {
    const seed = await seedDemo(ctx);
    if (seed.seeded) {
      seeded = seed.accounts;
      log.info({ accounts: seed.accounts, members: seed.members }, "seeded demo data into the empty database");
    }
  }
  const playgroundToken = env.PLAYGROUND ?? platforms.length === 0 ? (await import("./platforms/playground/app.js")).newPlaygroundToken() : null;
  const slack = env.SLACK_BOT_TOKEN
    ? { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL }
    : undefined;
  // loadEnv has checked that the five WECOM_* values come together.
  const wecom = env.WECOM_CORP_ID
    ? {
        corpId: env.WECOM_CORP_ID, agentId: Number(env.WECOM_AGENT_ID), secret: env.WECOM_SECRET!, token: env.WECOM_TOKEN!,
        encodingAesKey: env.WECOM_ENCODING_AES_KEY!, apiUrl: env.WECOM_API_URL,
      }
    : undefined;
  const host = env.HOST ?? "127.0.0.1";
  const bot = await startBot(ctx, {
    port: env.PORT, host, digestTime: env.FUNNEL_DIGEST_TIME, hookSecret: env.FUNNEL_HOOK_SECRET ?? null,
    ...(env.HTTP_KEEPALIVE_SECONDS ? { keepAliveMs: env.HTTP_KEEPALIVE_SECONDS * 1000 } : {}),
    ...(slack ? { slack } : {}), ...(wecom ? { wecom } : {}), ...(playgroundToken ? { playground: { token: playgroundToken } } : {}),
  }, log);
  // The playground's link carries its token, which logs must not. On a terminal it is shown in the banner;
  // otherwise stdout is a log stream (pino's JSON lines, collected by journald, docker, Kubernetes), so the
  // link goes alone to stderr under a marker, and the banner only says where it is.
  const base = publicBase(host, Number(new URL(bot.url).port));
  const link = playgroundToken ? `${base}/?token=${playgroundToken}` : null;
  const terminal = Boolean(process.stdout.isTTY);
  if (link && !terminal) process.stderr.write(`${SIGN_IN_MARKER} ${link}\n`);
  console.log(banner({
    database: ctx.db.provider === "sqlite" ? "SQLite" : "PostgreSQL", playbook: ctx.playbook.name,
    base, platforms, signIn: link && (terminal ? link : "stderr"), seeded, hooks: Boolean(env.FUNNEL_HOOK_SECRET),
  }));
  // SIGTERM (docker stop, systemctl stop, a rolling upgrade) and Ctrl-C: stop taking requests, let those
  // in flight answer, finish the delivery in progress and hand back the rest of the outbox claims, close the
  // database, exit 0. A second signal, or a shutdown stuck past the deadline, ends the process at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without a clean shutdown");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown took too long: exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    void (async () => {
      try {
        await bot.close();
        await close();
        log.info("stopped");
        process.exit(0);
      } catch (error) {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      }
    })();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `funnelbot could not start: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
