import { z } from "zod";
import { providerOf } from "./database-url.js";

// Empty strings count as unset, as in t3-env: a blank line in a .env file must not switch a platform on.
const optional = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().optional());
const url = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.url({ protocol: /^https?$/ }).optional());

/** The environment, validated once at start-up. */
export const EnvSchema = z
  .object({
    DATABASE_URL: optional.refine((v) => {
      try {
        providerOf(v);
        return true;
      } catch {
        return false;
      }
    }, "must be a file: path (SQLite) or a postgresql:// URL"),
    PORT: z.preprocess((v) => (v === "" || v === undefined ? "3000" : v), z.coerce.number().int().min(1).max(65535)),
    HOST: optional,
    SLACK_BOT_TOKEN: optional.refine((v) => v === undefined || v.startsWith("xoxb-"), "must start with xoxb-"),
    SLACK_SIGNING_SECRET: optional,
    SLACK_APP_TOKEN: optional.refine((v) => v === undefined || v.startsWith("xapp-"), "must start with xapp-"),
    SLACK_API_URL: url,
    WECOM_CORP_ID: optional,
    WECOM_AGENT_ID: optional.refine((v) => v === undefined || /^\d{1,10}$/.test(v), "must be the app's numeric AgentId"),
    WECOM_SECRET: optional,
    WECOM_TOKEN: optional,
    WECOM_ENCODING_AES_KEY: optional.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), "must be the 43-character key from the WeCom console"),
    WECOM_API_URL: url,
    /** Signs `/hooks/leads` and `/hooks/activity`; unset, both refuse every request. */
    FUNNEL_HOOK_SECRET: optional.refine((v) => v === undefined || v.length >= 16, "must be at least 16 characters (e.g. openssl rand -hex 32)"),
    /** The local playground: on, off, or (unset) on exactly when no platform is configured. */
    PLAYGROUND: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim().toLowerCase() : v),
      z.enum(["1", "true", "yes", "on", "0", "false", "no", "off"], { message: "must be 1 or 0 (or true/false, yes/no, on/off)" }).optional(),
    ).transform((v) => (v === undefined ? undefined : ["1", "true", "yes", "on"].includes(v))),
    FUNNEL_PLAYBOOK: optional,
    FUNNEL_CALENDAR: optional,
    /** funnelbot.yaml: teams, members and playbook declared in one file, applied at start-up. */
    FUNNEL_CONFIG: optional,
    TZ: optional,
    /** Local time (in each team's timezone) of the daily digests. */
    FUNNEL_DIGEST_TIME: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a 24-hour time HH:mm, e.g. 09:30").default("09:30")),
    /** How long a command waits for the database (ms) before it is answered "busy, try again"; default 10 s. */
    DATABASE_WAIT_MS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).max(60_000).optional()),
    /** How long an idle keep-alive connection stays open, in seconds; more than the reverse proxy's idle timeout. */
    HTTP_KEEPALIVE_SECONDS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number({ message: "must be a whole number of seconds, e.g. 75" }).int("must be a whole number of seconds, e.g. 75").min(1, "must be at least 1 second").max(3600, "must be at most 3600 seconds (an hour)").optional()),
    LOG_LEVEL: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["SLACK_SIGNING_SECRET"], message: "is required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)" });
    }
    // The playground signs in with a token printed at start-up: it is for the machine it runs on only.
    const playground = env.PLAYGROUND ?? (!env.SLACK_BOT_TOKEN && !env.WECOM_CORP_ID);
    if (playground && env.HOST !== undefined && !isLoopback(env.HOST)) {
      ctx.addIssue({
        code: "custom", path: ["HOST"],
        message: `is ${env.HOST}, but the playground listens on a loopback address only (127.0.0.1, ::1 or localhost): set HOST=127.0.0.1, or PLAYGROUND=0 to serve Slack, WeCom and the webhooks on ${env.HOST} without it`,
      });
    }
    const wecom = ["WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"] as const;
    const set = wecom.filter((k) => env[k] !== undefined);
    if (set.length > 0 && set.length < wecom.length) {
      for (const k of wecom.filter((k) => env[k] === undefined)) ctx.addIssue({ code: "custom", path: [k], message: "is required when any WECOM_* variable is set" });
    }
  });
/** Whether a listen address reaches this machine only: 127.0.0.0/8, ::1 (also as ::ffff:127.x) or localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/** The environment, validated. */
export type Env = z.infer<typeof EnvSchema>;

/** Parses the environment, or throws one readable message listing every missing or malformed value. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}

/** A configuration problem, reported to the operator without a stack trace. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
