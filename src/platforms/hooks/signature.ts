import { createHmac, timingSafeEqual } from "node:crypto";

/** The header a sender signs its webhook with: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const SIGNATURE_HEADER = "x-funnel-signature";

/** The signature header's value for a body at a time; what a sender computes (and tests use). */
export function signHook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Whether the header signs exactly this body with the secret, at a time within `windowSeconds` of `now`.
 * Compared in constant time; any malformed header is simply not valid.
 */
export function verifyHook(secret: string, body: string, header: string | undefined, now: Date, windowSeconds: number): boolean {
  const parts = new Map((header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const ts = parts.get("t") ?? "";
  const given = parts.get("v1") ?? "";
  if (!/^\d{1,12}$/.test(ts) || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(ts)) > windowSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${ts}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}
