/**
 * Every inbound route of the bot and how to build a request to it, genuine or forged. The forged-request
 * test runs every forgery against every route listed here: adding a route (the /hooks/* webhooks, the
 * playground's) means adding one entry.
 */
import { getSignature } from "@wecom/crypto";
import { commandBody, slackHeaders, type FakeSlack } from "../support/fake-slack.js";
import { envelope, sealFor, textMessage } from "../support/fake-wecom.js";
import { APP, FORM, SECRET, SLACK_IDS, WECOM_IDS } from "./harness.js";

/** How a request is spoiled; "genuine" is the control that must be accepted. */
export type Forgery = "genuine" | "unsigned" | "wrong-secret" | "stale" | "tampered";
export const FORGERIES: readonly Forgery[] = ["genuine", "unsigned", "wrong-secret", "stale", "tampered"];

/** A request ready for fetch. */
export interface Built {
  readonly url: string;
  readonly init: RequestInit;
}

/** One inbound route: a request that would change state (a new lead) if it were accepted. */
export interface InboundRoute {
  readonly name: string;
  build(botUrl: string, forgery: Forgery, ctx: { slack: FakeSlack; unique: string }): Built;
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
        : slackHeaders(forgery === "wrong-secret" ? "not-the-secret" : SECRET, body, FORM, forgery === "stale" ? now() - STALE_SECONDS : now());
      return { url: `${botUrl}/slack/events`, init: { method: "POST", body: sent, headers } };
    },
  },
  {
    name: "POST /wecom/callback",
    build: (botUrl, forgery, { unique }) => {
      const message = textMessage(APP, { from: WECOM_IDS.mia!, content: `lead new Forged ${unique} Ltd`, msgId: String(BigInt(`0x${unique}`) % 10n ** 15n) });
      const encrypted = sealFor(APP, forgery === "tampered" ? message.replace("Forged", "Tampered") : message);
      const signedFor = forgery === "tampered" ? sealFor(APP, message) : encrypted;
      const timestamp = String(forgery === "stale" ? now() - STALE_SECONDS : now());
      const nonce = unique.slice(0, 10);
      const signature = getSignature(forgery === "wrong-secret" ? "NotTheToken" : APP.token, timestamp, nonce, signedFor);
      const query = forgery === "unsigned" ? `timestamp=${timestamp}&nonce=${nonce}` : `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
      return { url: `${botUrl}/wecom/callback?${query}`, init: { method: "POST", body: envelope(APP, encrypted), headers: { "content-type": "text/xml" } } };
    },
  },
];
