import type { IncomingMessage, ServerResponse } from "node:http";
import type { HTTPReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import { readRawBody } from "../../server.js";
import { SLACK } from "../limits.js";
import { freshTimestamp, SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, validSlackSignature } from "./signature.js";

/** Slack's SSL check of a slash command's URL: form-encoded, small, and unsigned in Bolt's reading. */
const SSL_CHECK = /^ssl_check=1(&token=[\w.-]{0,100})?$/;

/**
 * `POST /slack/events` in front of Bolt's receiver. Bolt reads up to 10 MB and parses it before it looks at
 * the signature, and allows timestamps from any future: a probe doubled the server's memory with unsigned
 * 9 MB posts. Here, in order, before anything is parsed:
 * - a `Content-Length` above SLACK.requestBodyBytes gets 413 at once, the body unread;
 * - a missing or malformed signature, or a timestamp more than 5 minutes off either way, gets 401, unread;
 * - the body is read up to the cap (413 the moment it passes it) and its raw bytes checked against the
 *   signature (401);
 * - a signed body that parses to something other than an object gets 400 (Bolt reads `body.ssl_check`
 *   of it in a closure nobody awaits: the TypeError ended the process).
 * Every refusal closes the connection. Bolt then takes the bytes already read (`req.rawBody`).
 */
export async function receiveSlack(receiver: HTTPReceiver, secret: string, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const refuse = (status: number, reason: string) => {
    log.warn({ reason }, "Slack request refused");
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`${reason}\n`);
  };
  if (req.method !== "POST") {
    req.resume();
    res.writeHead(405, { allow: "POST", connection: "close" }).end();
    return;
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (!(declared <= SLACK.requestBodyBytes)) return refuse(413, "Payload too large");
  const timestamp = header(req, SLACK_TIMESTAMP_HEADER);
  const signature = header(req, SLACK_SIGNATURE_HEADER);
  if (!signature && !timestamp && req.headers["content-type"] === "application/x-www-form-urlencoded" && declared > 0 && declared <= 200) {
    const raw = await readRawBody(req, 200);
    if (raw && SSL_CHECK.test(raw.toString("latin1"))) {
      res.writeHead(200).end();
      return;
    }
    return refuse(401, "Invalid signature");
  }
  // Wall-clock time, not the business clock: the window is about Slack's clock and ours.
  if (!signature || !freshTimestamp(timestamp, Math.floor(Date.now() / 1000), SLACK.signatureMaxAgeSeconds)) {
    req.resume();
    return refuse(401, "Invalid or stale signature");
  }
  const raw = await readRawBody(req, SLACK.requestBodyBytes);
  if (raw === null) return refuse(413, "Payload too large");
  if (!validSlackSignature(secret, timestamp!, raw, signature)) return refuse(401, "Invalid signature");
  if (!parsesToObject(raw.toString("utf8"), req.headers["content-type"])) return refuse(400, "Malformed request body");
  Object.assign(req, { rawBody: raw });
  receiver.requestListener(req, res);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** False when the body parses, as Bolt parses it, to something that is not an object; true otherwise (Bolt answers real parse errors itself). */
function parsesToObject(text: string, contentType: string | undefined): boolean {
  try {
    if (contentType === "application/x-www-form-urlencoded") {
      const payload = new URLSearchParams(text).get("payload");
      if (payload === null) return true;
      const parsed: unknown = JSON.parse(payload);
      return typeof parsed === "object" && parsed !== null;
    }
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return true;
  }
}
