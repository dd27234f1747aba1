import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Database } from "./store/database.js";
import { ping } from "./store/health.js";

/** A route handler; platforms add theirs (`/slack/events`, `/wecom/callback`, the playground). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * How long an idle keep-alive connection stays open (HTTP_KEEPALIVE_SECONDS): longer than the reverse proxy in
 * front keeps its side (AWS's load balancers and nginx's upstream connections: 60 s), so the proxy, never the
 * bot, closes an idle one. With Node's 5 s the bot closed connections the proxy still counted on, and a request
 * sent into one as it closed came back 502 from the proxy: a Slack command lost as "dispatch_failed".
 */
export const DEFAULT_KEEP_ALIVE_MS = 75_000;

/** Each server's requests not yet answered, for `closeHttpServer` to end their connections with their answers. */
const unanswered = new WeakMap<Server, Set<ServerResponse>>();

/**
 * The one HTTP server every surface shares, with `/healthz` answering when the database does. Close it with
 * `closeHttpServer`, which does not wait out the keep-alive of connections busy at that moment.
 */
export function createHttpServer(db: Database, log: Logger, routes: Map<string, Handler> = new Map(), keepAliveMs = DEFAULT_KEEP_ALIVE_MS): Server {
  const answering = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    // Shutting down: the answer tells the proxy not to send more on this connection, which ends with it.
    if (!server.listening) res.setHeader("connection", "close");
    answering.add(res);
    res.once("close", () => answering.delete(res));
    const path = (req.url ?? "/").split("?")[0]!;
    const handler: Handler | undefined = path === "/healthz" ? (_, r) => healthz(db, r) : routes.get(path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      log.error({ err: error, path }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal error\n");
    });
  });
  server.keepAliveTimeout = keepAliveMs;
  unanswered.set(server, answering);
  return server;
}

/**
 * Stops taking connections and resolves once the open ones have ended: idle keep-alive connections at once,
 * each busy one with its answer, which says `connection: close` so the proxy sends nothing more on it (Node
 * closes only the connections idle at the call, and would keep the others for the whole keep-alive, past the
 * shutdown's deadline).
 */
export function closeHttpServer(server: Server): Promise<void> {
  for (const res of unanswered.get(server) ?? []) if (!res.headersSent) res.setHeader("connection", "close");
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}

async function healthz(db: Database, res: ServerResponse): Promise<void> {
  const ok = await ping(db);
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ ok, database: db.provider }));
}

/** A request body as text, or null once it passes `max` bytes (see readRawBody). */
export async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const raw = await readRawBody(req, max);
  return raw === null ? null : raw.toString("utf8");
}

/**
 * A request body's bytes, or null as soon as it passes `max` bytes: at once when `Content-Length` says so,
 * else the moment the stream does. Nothing past `max` is kept; the rest is drained, not stored. The caller
 * answers 413 with `connection: close`, which ends the socket once the answer is out, so a sender that
 * promises 99 GB cannot hold the connection open.
 */
export function readRawBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? 0) > max) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off("data", onData);
      req.resume();
      resolve(null);
    };
    req.on("data", onData);
    req.on("end", () => resolve(size > max ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
