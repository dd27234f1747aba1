import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { z } from "zod";
import type { ServiceContext } from "../../services/context.js";
import { fieldErrors } from "../../services/field-errors.js";
import { ActivityInputSchema, deliveryKey, intakeLead, LeadInputSchema, recordLeadActivity } from "../../services/lead-intake.js";
import { readBody, type Handler } from "../../server.js";
import { HOOKS } from "../limits.js";
import { SIGNATURE_HEADER, verifyHook } from "./signature.js";

/** The inbound webhooks marketing's tools post to, by path. */
export interface Hooks {
  readonly leads: Handler;
  readonly activity: Handler;
}

/**
 * `POST /hooks/leads` and `POST /hooks/activity`: each body signed with the shared secret
 * (FUNNEL_HOOK_SECRET), validated with zod and answered in JSON. Without a secret both refuse everything,
 * so an unconfigured bot never takes unauthenticated writes. Nothing is written before the signature,
 * the JSON and every field check out.
 */
export function createHooks(ctx: ServiceContext, secret: string | null, log: Logger): Hooks {
  const guarded = <S extends z.ZodType>(schema: S, handle: (input: z.infer<S>, body: string) => Promise<{ status: number; body: unknown }>): Handler =>
    async (req, res) => {
      if (req.method !== "POST") return json(res, 405, { error: "method-not-allowed", message: "POST a JSON body." }, { allow: "POST" });
      if (!secret) return json(res, 503, { error: "hooks-disabled", message: "Webhooks are off: set FUNNEL_HOOK_SECRET." });
      const body = await readBody(req, HOOKS.bodyBytes);
      if (body === null) return json(res, 413, { error: "too-large", message: `At most ${HOOKS.bodyBytes} bytes.` }, { connection: "close" });
      if (!verifyHook(secret, body, header(req), ctx.clock(), HOOKS.replayWindowSeconds)) {
        log.warn({ path: req.url }, "webhook with a bad or stale signature refused");
        return json(res, 401, { error: "bad-signature", message: `Sign the body: ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">.` });
      }
      let raw: unknown;
      try {
        raw = JSON.parse(body);
      } catch {
        return json(res, 400, { error: "invalid-json", message: "The body is not JSON." });
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return json(res, 400, { error: "invalid-fields", fields: fieldErrors(parsed.error) });
      const answer = await handle(parsed.data, body);
      json(res, answer.status, answer.body);
    };

  return {
    leads: guarded(LeadInputSchema, async (input, body) => {
      const outcome = await intakeLead(ctx, input, deliveryKey("lead", input.id, body), "webhook");
      return { status: outcome.created ? 201 : 200, body: outcome };
    }),
    activity: guarded(ActivityInputSchema, async (input, body) => {
      const done = await recordLeadActivity(ctx, input, deliveryKey("activity", input.id, body));
      if (!done.ok) return { status: 404, body: { error: "unknown-lead", message: "No lead has this accountId, email or domain; post it to /hooks/leads first." } };
      return { status: 200, body: done.value };
    }),
  };
}

function header(req: IncomingMessage): string | undefined {
  const value = req.headers[SIGNATURE_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
}
