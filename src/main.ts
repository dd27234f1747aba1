import { ConfigError, loadEnv, type Env } from "./config/env.js";
import { createLogger } from "./logger.js";
import { startBot } from "./bot.js";
import { newPlaygroundToken } from "./platforms/playground/app.js";
import { seedDemo } from "./services/seed-demo.js";
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

/** The start-up banner: which modes run, where to open them, and which variables switch to the others. */
function banner(options: { database: string; playbook: string; base: string; platforms: readonly string[]; playgroundToken: string | null; seeded: number; hooks: boolean }): string {
  const { base, platforms, playgroundToken } = options;
  const modes = [...(playgroundToken ? ["playground"] : []), ...platforms];
  const lines = [
    `funnelbot is running on ${options.database} with the ${options.playbook} playbook.`,
    `Mode: ${modes.length ? modes.join(" + ") : "no chat surface (CLI and /healthz only)"}`,
  ];
  if (playgroundToken) {
    lines.push(`  Playground: open ${base}/?token=${playgroundToken}`);
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
  // Demo data only where no real workspace is connected: a Slack or WeCom team never gets fake accounts.
  let seeded = 0;
  if (platforms.length === 0) {
    const seed = await seedDemo(ctx);
    if (seed.seeded) {
      seeded = seed.accounts;
      log.info({ accounts: seed.accounts, members: seed.members }, "seeded demo data into the empty database");
    }
  }
  const playgroundToken = env.PLAYGROUND ?? platforms.length === 0 ? newPlaygroundToken() : null;
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
    ...(slack ? { slack } : {}), ...(wecom ? { wecom } : {}), ...(playgroundToken ? { playground: { token: playgroundToken } } : {}),
  }, log);
  // The banner goes to the terminal, not the log: it carries the playground's token, which logs must not.
  console.log(banner({
    database: ctx.db.provider === "sqlite" ? "SQLite" : "PostgreSQL", playbook: ctx.playbook.name,
    base: publicBase(host, Number(new URL(bot.url).port)), platforms, playgroundToken, seeded, hooks: Boolean(env.FUNNEL_HOOK_SECRET),
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
