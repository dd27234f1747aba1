import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers Slack signs each request with. */
export const SLACK_SIGNATURE_HEADER = "x-slack-signature";
export const SLACK_TIMESTAMP_HEADER = "x-slack-request-timestamp";

/**
 * Whether a request's timestamp header is well formed and within `windowSeconds` of `nowSeconds`, either
 * way: a request from the future is as much a replay risk as an old one (Slack's recipe is |now − ts| > 5 min).
 * Checked before the body is read, so a stale or unsigned request costs no buffering.
 */
export function freshTimestamp(timestamp: string | undefined, nowSeconds: number, windowSeconds: number): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowSeconds - Number(timestamp)) <= windowSeconds;
}

/**
 * Whether `signature` is Slack's `v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret,
 * over the body's exact bytes, compared in constant time. The timestamp's window is `freshTimestamp`'s job.
 */
export function validSlackSignature(secret: string, timestamp: string, body: Buffer, signature: string | undefined): boolean {
  if (!secret || !signature || !/^v0=[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), "hex"));
}
