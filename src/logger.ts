import { pino, type Logger } from "pino";

// Secrets never reach the log: these fields are replaced wherever they appear in a logged object.
const REDACT = [
  "*.SLACK_BOT_TOKEN", "*.SLACK_SIGNING_SECRET", "*.SLACK_APP_TOKEN", "*.WECOM_SECRET", "*.WECOM_TOKEN", "*.WECOM_ENCODING_AES_KEY",
  "*.DATABASE_URL", "*.token", "*.secret", "*.password", "*.authorization", "headers.authorization", "*.access_token",
];

/** The process logger: JSON lines on stdout, secrets redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: "[redacted]" } });
}
