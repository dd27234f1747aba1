import { ConfigError, loadEnv, type Env } from "./config/env.js";
import { createLogger } from "./logger.js";
import { startBot } from "./bot.js";
import { seedDemo } from "./services/seed-demo.js";
import { openContext } from "./wiring.js";

// Start-up wiring only: config → store → platforms → server.
function modes(env: Env): string[] {
  const found: string[] = [];
  if (env.SLACK_BOT_TOKEN) found.push(env.SLACK_APP_TOKEN ? "Slack (Socket Mode)" : "Slack (HTTP, POST /slack/events)");
  if (env.WECOM_CORP_ID) found.push("WeCom (callback /wecom/callback)");
  return found;
}

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  const { ctx, close } = await openContext(env);
  const platforms = modes(env);
  if (platforms.length === 0) {
    const seeded = await seedDemo(ctx);
    if (seeded.seeded) log.info({ accounts: seeded.accounts, members: seeded.members }, "seeded demo data into the empty database");
  }
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
  const bot = await startBot(ctx, { port: env.PORT, host: env.HOST ?? "127.0.0.1", digestTime: env.FUNNEL_DIGEST_TIME, hookSecret: env.FUNNEL_HOOK_SECRET ?? null, ...(slack ? { slack } : {}), ...(wecom ? { wecom } : {}) }, log);
  const where = `http://${env.HOST ?? "localhost"}:${env.PORT}`;
  console.log(
    [
      `funnelbot is running on ${ctx.db.provider === "sqlite" ? "SQLite" : "PostgreSQL"} with the ${ctx.playbook.name} playbook.`,
      platforms.length ? `Platforms: ${platforms.join(", ")}` : "No platform credentials set: local mode on demo data.",
      `Health: ${where}/healthz`,
      env.FUNNEL_HOOK_SECRET ? `Lead webhooks: POST ${where}/hooks/leads, ${where}/hooks/activity` : "Lead webhooks off (set FUNNEL_HOOK_SECRET to accept them).",
      `Try the CLI: npx funnelbot lead mine --as alice · npx funnelbot lead help`,
      "Set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, WECOM_* for WeCom; see README.",
    ].join("\n"),
  );
  const stop = async () => {
    await bot.close();
    await close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `funnelbot could not start: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
