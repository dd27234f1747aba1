/**
 * Every inbound route of the bot and how to build a request to it, genuine or forged. The forged-request
 * test runs every forgery against every route listed here: adding a route (the /hooks/* webhooks, the
 * playground's) means adding one entry.
 */
import { getSignature } from "@wecom/crypto";
import { commandBody, slackHeaders, type FakeSlack } from "../support/fake-slack.js";
import { envelope, sealFor, textMessage } from "../support/fake-wecom.js";
import { signHook } from "../../src/platforms/hooks/signature.js";
import type { Database } from "../../src/store/database.js";
import { ACTIVITY_LEAD, APP, FORM, HOOK_SECRET, PLAYGROUND_TOKEN, SECRET, SLACK_IDS, WECOM_IDS } from "./harness.js";

/**
 * How a request is spoiled; "genuine" is the control that must be accepted. "stale" is signed 10 minutes
 * ago, "future" 10 minutes ahead: a replay window must be two-sided.
 */
export type Forgery = "genuine" | "unsigned" | "wrong-secret" | "stale" | "future" | "tampered";
export const FORGERIES: readonly Forgery[] = ["genuine", "unsigned", "wrong-secret", "stale", "future", "tampered"];

/** The signing time a forgery uses, around `seconds` (now). */
function stamp(forgery: Forgery, seconds: number): number {
  return forgery === "stale" ? seconds - STALE_SECONDS : forgery === "future" ? seconds + STALE_SECONDS : seconds;
}

/** A request ready for fetch. */
export interface Built {
  readonly url: string;
  readonly init: RequestInit;
}

/** One inbound route: a request that would change state (a new lead) if it were accepted. */
export interface InboundRoute {
  readonly name: string;
  build(botUrl: string, forgery: Forgery, ctx: { slack: FakeSlack; unique: string; clock: () => Date }): Built;
  /** How many rows the genuine request with `unique` wrote (default: accounts named after it). */
  written?(db: Database, unique: string): Promise<number>;
}

/** A signed lead webhook: the signature covers the timestamp and the body, so tampering breaks it. */
function hook(path: string, payload: (unique: string) => unknown): InboundRoute["build"] {
  return (botUrl, forgery, { unique, clock }) => {
    const body = JSON.stringify(payload(unique));
    // The hooks read the bot's clock (the rig's injected one), not the wall clock Bolt and WeCom use.
    const seconds = Math.floor(clock().getTime() / 1000);
    const at = stamp(forgery, seconds);
    const signature = signHook(forgery === "wrong-secret" ? "not-the-hook-secret-at-all" : HOOK_SECRET, body, at);
    const sent = forgery === "tampered" ? body.replace("Forged", "Tampered") : body;
    const headers: Record<string, string> = { "content-type": "application/json", ...(forgery === "unsigned" ? {} : { "x-funnel-signature": signature }) };
    return { url: `${botUrl}${path}`, init: { method: "POST", body: sent, headers } };
  };
}

const STALE_SECONDS = 10 * 60;
const now = () => Math.floor(Date.now() / 1000);

export const INBOUND_ROUTES: readonly InboundRoute[] = [
  {
    name: "POST /slack/events",
    build: (botUrl, forgery, { slack, unique }) => {
      const body = commandBody(slack, { command: "/lead", text: `new Forged ${unique} Ltd`, userId: SLACK_IDS.mia! });
      const sent = forgery === "tampered" ? body.replace("Forged", "Tampered") : body;
      const headers =
        forgery === "unsigned" ? { "content-type": FORM }
        : slackHeaders(forgery === "wrong-secret" ? "not-the-secret" : SECRET, body, FORM, stamp(forgery, now()));
      return { url: `${botUrl}/slack/events`, init: { method: "POST", body: sent, headers } };
    },
  },
  {
    name: "POST /wecom/callback",
    build: (botUrl, forgery, { unique }) => {
      const message = textMessage(APP, { from: WECOM_IDS.mia!, content: `lead new Forged ${unique} Ltd`, msgId: String(BigInt(`0x${unique}`) % 10n ** 15n) });
      const encrypted = sealFor(APP, forgery === "tampered" ? message.replace("Forged", "Tampered") : message);
      const signedFor = forgery === "tampered" ? sealFor(APP, message) : encrypted;
      const timestamp = String(stamp(forgery, now()));
      const nonce = unique.slice(0, 10);
      const signature = getSignature(forgery === "wrong-secret" ? "NotTheToken" : APP.token, timestamp, nonce, signedFor);
      const query = forgery === "unsigned" ? `timestamp=${timestamp}&nonce=${nonce}` : `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
      return { url: `${botUrl}/wecom/callback?${query}`, init: { method: "POST", body: envelope(APP, encrypted), headers: { "content-type": "text/xml" } } };
    },
  },
  { name: "POST /hooks/leads", build: hook("/hooks/leads", (unique) => ({ id: `form-${unique}`, company: `Forged ${unique} Ltd`, email: `x@forged-${unique}.example` })) },
  {
    name: "POST /hooks/activity",
    build: hook("/hooks/activity", (unique) => ({ id: `Forged-evt-${unique}`, email: ACTIVITY_LEAD.email, type: "download" })),
    written: (db, unique) => db.prisma.leadActivity.count({ where: { key: { contains: unique } } }),
  },
  {
    // The playground's sign-in is a per-start token: a cookie, plus the same token in a header on every POST.
    // "stale" and "future" are tokens from another start; "tampered" is the cookie alone, as a cross-site form would send it.
    name: "POST /playground/api/command",
    build: (botUrl, forgery, { unique }) => {
      const port = new URL(botUrl).port;
      const token = forgery === "wrong-secret" ? "0".repeat(40) : forgery === "stale" ? "5" + PLAYGROUND_TOKEN.slice(1) : forgery === "future" ? PLAYGROUND_TOKEN.slice(0, -1) + "5" : PLAYGROUND_TOKEN;
      const headers: Record<string, string> = forgery === "unsigned"
        ? { "content-type": "application/json" }
        : { "content-type": "application/json", cookie: `funnelbot_playground_${port}=${token}`, ...(forgery === "tampered" ? {} : { "x-funnelbot-token": token }) };
      return { url: `${botUrl}/playground/api/command`, init: { method: "POST", body: JSON.stringify({ as: "mia", line: `lead new Forged ${unique} Ltd` }), headers } };
    },
  },
];
