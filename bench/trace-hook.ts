/**
 * The tracer of `bench/trace.ts`, loaded into a server process with `--import` (never by production code): it
 * follows each HTTP request with AsyncLocalStorage and records, with timestamps, every wait for a pg pool
 * client (which pool: the driver's or Prisma's, and how many were in use and waiting), how long each client
 * was held, every statement's round trip, the outbox worker's passes (TRACE_WORKER=1: the real server), GC
 * pauses (PerformanceObserver), event-loop stalls (a 2 ms timer's lateness) and event-loop utilization.
 * Everything is written to TRACE_FILE as JSON when the process exits, for bench/trace.ts to read.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { writeFileSync } from "node:fs";
import http from "node:http";
import { monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import pg from "pg";

/** Who did something: a request (while open, or after its answer), the outbox worker, or nobody known. */
interface Owner {
  readonly kind: "request" | "worker";
  readonly id: number;
  end?: number;
}
/** One span: waiting for a pool client, holding one, or a statement's round trip. */
interface Span {
  readonly what: "wait" | "hold" | "query";
  readonly pool: string;
  readonly owner: string;
  readonly start: number;
  end: number;
  /** The pool's state when the wait began: clients in use, idle, waiters ahead. */
  readonly state?: readonly [number, number, number];
  readonly name?: string;
}

const als = new AsyncLocalStorage<Owner>();
const spans: Span[] = [];
const requests: { id: number; start: number; end: number; url: string; status: number }[] = [];
const passes: { start: number; end: number; claimed: number }[] = [];
const gcs: { start: number; duration: number; kind: number }[] = [];
const stalls: { at: number; lateMs: number }[] = [];
let nextId = 1;

const ownerLabel = (owner = als.getStore()): string => {
  if (!owner) return "none";
  if (owner.kind === "worker") return "worker";
  return owner.end === undefined ? `req:${owner.id}` : `after:${owner.id}`;
};

// Requests: each 'request' event runs in a context of its own, answered when `end` is called on the response.
const emit = http.Server.prototype.emit as (this: http.Server, event: string, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event !== "request") return emit.call(this, event, ...args);
  const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
  const owner: Owner = { kind: "request", id: nextId++ };
  const start = performance.now();
  const end = res.end as (...a: unknown[]) => http.ServerResponse;
  res.end = function (this: http.ServerResponse, ...a: unknown[]) {
    owner.end = performance.now();
    // A request with an x-trace-mark header marks where the measured load begins (bench/trace.ts).
    requests.push({ id: owner.id, start, end: owner.end, url: req.headers["x-trace-mark"] ? "trace-mark" : (req.url ?? ""), status: res.statusCode });
    return end.apply(this, a);
  } as typeof res.end;
  return als.run(owner, () => emit.call(this, event, ...args));
} as typeof http.Server.prototype.emit;

// Pools: the driver's pool is the one given `types` (src/store/postgres.ts); Prisma's adapter passes none.
const poolName = (pool: pg.Pool): string => ((pool as unknown as { options: { types?: unknown } }).options.types ? "driver" : "prisma");
const connect = pg.Pool.prototype.connect;
pg.Pool.prototype.connect = function (this: pg.Pool, cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) {
  const pool = poolName(this);
  const p = this as unknown as { totalCount: number; idleCount: number; waitingCount: number };
  const who = als.getStore();
  const wait: Span = { what: "wait", pool, owner: ownerLabel(who), start: performance.now(), end: 0, state: [p.totalCount - p.idleCount, p.idleCount, p.waitingCount] };
  spans.push(wait);
  const acquired = (client: pg.PoolClient | undefined) => {
    wait.end = performance.now();
    if (!client) return;
    // pg-pool calls back in the context of whoever released the client: the statements are the asker's.
    Object.assign(client, { traced: pool, tracedOwner: who });
    const hold: Span = { what: "hold", pool, owner: wait.owner, start: wait.end, end: 0 };
    spans.push(hold);
    const release = client.release;
    client.release = ((err?: Error | boolean) => {
      hold.end = performance.now();
      client.release = release;
      return release.call(client, err);
    }) as typeof client.release;
  };
  if (cb) {
    return (connect as (cb: unknown) => void).call(this, (err: Error | undefined, client: pg.PoolClient | undefined, done: () => void) => {
      acquired(err ? undefined : client);
      // pg-pool's query() releases through `client.release`, which is the traced one now.
      cb(err, client, client ? () => client.release() : done);
    });
  }
  return ((connect as () => Promise<pg.PoolClient>).call(this)).then((client) => {
    acquired(client);
    return client;
  });
} as typeof pg.Pool.prototype.connect;

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const { traced: pool = "client", tracedOwner } = this as unknown as { traced?: string; tracedOwner?: Owner };
  const first = args[0] as string | { name?: string; text?: string };
  const text = typeof first === "string" ? first : (first?.text ?? "?");
  const name = `${typeof first === "string" ? "" : `${first?.name ?? ""} `}${text.replace(/\s+/g, " ").trim().slice(0, 48)}`;
  const span: Span = { what: "query", pool, owner: ownerLabel(tracedOwner ?? als.getStore()), start: performance.now(), end: 0, name };
  spans.push(span);
  const last = args.at(-1);
  if (typeof last === "function") {
    args[args.length - 1] = (...res: unknown[]) => {
      span.end = performance.now();
      return (last as (...a: unknown[]) => unknown)(...res);
    };
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  }
  const result = (query as (...a: unknown[]) => unknown).apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === "function") {
    (result as Promise<unknown>).then(() => (span.end = performance.now()), () => (span.end = performance.now()));
  }
  return result;
} as typeof pg.Client.prototype.query;

// The outbox worker's passes, in a context of their own (else they inherit the request that woke them).
if (process.env.TRACE_WORKER === "1") {
  const { OutboxWorker } = await import("../src/jobs/outbox-worker.js");
  const proto = OutboxWorker.prototype as unknown as { pass(): Promise<{ claimed: number }> };
  const pass = proto.pass;
  proto.pass = function (this: unknown) {
    return als.run({ kind: "worker", id: 0 }, async () => {
      const start = performance.now();
      const done = await pass.call(this);
      passes.push({ start, end: performance.now(), claimed: done.claimed });
      return done;
    });
  };
}

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration, kind: ((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? 0 });
}).observe({ entryTypes: ["gc"] });

// Event-loop utilization (the share of time the loop was not idle waiting for I/O), every 100 ms.
const utilization: { at: number; elu: number }[] = [];
let lastElu = performance.eventLoopUtilization();
setInterval(() => {
  const now = performance.eventLoopUtilization();
  utilization.push({ at: performance.now(), elu: performance.eventLoopUtilization(now, lastElu).utilization });
  lastElu = now;
}, 100).unref();

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
let expected = performance.now() + 2;
setInterval(() => {
  const now = performance.now();
  if (now - expected > 10) stalls.push({ at: now, lateMs: now - expected });
  expected = now + 2;
}, 2).unref();

process.on("exit", () => {
  const file = process.env.TRACE_FILE;
  if (!file) return;
  writeFileSync(file, JSON.stringify({
    requests, spans: spans.filter((s) => s.end > 0), passes, gcs, stalls, utilization,
    loop: { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 },
  }));
});
