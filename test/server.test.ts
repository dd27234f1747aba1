// The shared HTTP server's connections as a reverse proxy meets them: idle keep-alive connections outlive the
// proxy's own idle timeout (so the proxy, not the bot, closes them: no request is sent into a closing socket),
// and a shutdown ends busy connections with their answers instead of waiting out that keep-alive.
import { Agent, get, type IncomingHttpHeaders, type Server } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../src/config/env.js";
import { closeHttpServer, createHttpServer, DEFAULT_KEEP_ALIVE_MS, type Handler } from "../src/server.js";
import { migrate, openDatabase, type Database } from "../src/store/database.js";
import { freshSqliteUrl } from "./support/databases.js";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reused: boolean;
  socket: Socket;
}

function fetchOn(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reused: req.reusedSocket, socket: req.socket! });
      });
    });
    req.on("error", reject);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms))]);

describe("the HTTP server's connections", () => {
  let db: Database;
  const servers: Server[] = [];
  const agents: Agent[] = [];
  const log = pino({ level: "silent" });

  async function listen(routes = new Map<string, Handler>(), keepAliveMs?: number): Promise<{ server: Server; url: string }> {
    const server = createHttpServer(db, log, routes, keepAliveMs);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
  function keepAliveAgent(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  }

  beforeAll(async () => {
    const url = freshSqliteUrl();
    db = await openDatabase(url);
    await migrate(db, url);
  });
  afterAll(async () => {
    for (const agent of agents) agent.destroy();
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await db?.close();
  });

  it("keeps an idle connection well past Node's 5 s by default, so a proxy's reuse of it is answered", async () => {
    const { server, url } = await listen();
    expect(server.keepAliveTimeout).toBe(DEFAULT_KEEP_ALIVE_MS);
    expect(DEFAULT_KEEP_ALIVE_MS).toBeGreaterThan(60_000); // AWS's load balancers and nginx keep theirs 60 s
    const agent = keepAliveAgent();
    const first = await fetchOn(agent, `${url}/healthz`);
    expect(first).toMatchObject({ status: 200, reused: false });
    expect(first.headers["keep-alive"]).toBe("timeout=75"); // what the server tells its clients
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    // Node's default would have closed the socket at 5 s; the proxy, still holding it, would have sent this
    // request into a closed connection and answered the caller 502.
    const second = await fetchOn(agent, `${url}/healthz`);
    expect(second).toMatchObject({ status: 200, reused: true });
    expect(second.socket).toBe(first.socket);
  });

  it("closes an idle connection itself once the keep-alive it is given (HTTP_KEEPALIVE_SECONDS) has passed", async () => {
    const { url } = await listen(new Map(), 1_000);
    const answer = await fetchOn(keepAliveAgent(), `${url}/healthz`);
    expect(answer.headers["keep-alive"]).toBe("timeout=1");
    await within(5_000, closed(answer.socket));
  });

  it("on close, answers the request in flight with connection: close, ends that connection and does not wait out the keep-alive", async () => {
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const routes = new Map<string, Handler>([["/slow", async (_, res) => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      res.writeHead(200, { "content-type": "text/plain" }).end("done\n");
    }]]);
    const { server, url } = await listen(routes);
    const idle = await fetchOn(keepAliveAgent(), `${url}/healthz`);
    const slow = fetchOn(keepAliveAgent(), `${url}/slow`);
    await inFlight;
    const closing = closeHttpServer(server);
    const answer = await slow;
    expect(answer).toMatchObject({ status: 200, body: "done\n" });
    expect(answer.headers.connection).toBe("close");
    // Both connections end within moments, not after the 75 s keep-alive (the shutdown's deadline is 8 s).
    await within(3_000, Promise.all([closing, closed(idle.socket), closed(answer.socket)]));
    expect(server.listening).toBe(false);
  });

  it("reads HTTP_KEEPALIVE_SECONDS as whole seconds and refuses anything else in one readable line", () => {
    expect(loadEnv({ HTTP_KEEPALIVE_SECONDS: "620" }).HTTP_KEEPALIVE_SECONDS).toBe(620);
    expect(loadEnv({ HTTP_KEEPALIVE_SECONDS: "" }).HTTP_KEEPALIVE_SECONDS).toBeUndefined();
    for (const [value, message] of [
      ["75s", "must be a whole number of seconds, e.g. 75"],
      ["1.5", "must be a whole number of seconds, e.g. 75"],
      ["0", "must be at least 1 second"],
      ["7200", "must be at most 3600 seconds (an hour)"],
    ] as const) {
      expect(() => loadEnv({ HTTP_KEEPALIVE_SECONDS: value })).toThrow(ConfigError);
      expect(() => loadEnv({ HTTP_KEEPALIVE_SECONDS: value })).toThrow(`HTTP_KEEPALIVE_SECONDS: ${message}`);
    }
  });
});
