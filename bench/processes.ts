/**
 * Child processes for the benchmarks and the chaos suite: the real server (`src/main.ts`), a bare Bolt app,
 * and the load generator. Each runs in its own Node.js process, so a server's RSS and start-up are its own
 * and the load generator never shares an event loop with what it measures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/support/postgres-cluster.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** `node --import tsx <script>`: the pid is Node's own, so kill -9 and /proc read the server itself. */
export function spawnTs(script: string, env: Record<string, string>, stdio: "ignore" | "pipe" = "ignore", nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(ROOT, script)], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", stdio, stdio === "pipe" ? "pipe" : "inherit"],
  });
}

/** Peak resident set size of a live process (VmHWM, Linux); null where /proc is not there. */
export function peakRss(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** A server in a child process, ready on `url`. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** From spawn to the first 200 from `/healthz`. */
  readonly startupMs: number;
  peakRss(): number | null;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** kill -9, no goodbye. */
  kill(): Promise<void>;
}

/** Starts `script` with `env` plus PORT, and waits (bounded) until its `/healthz` answers 200. */
export async function startServer(script: string, env: Record<string, string>, options: { timeoutMs?: number; nodeArgs?: readonly string[] } = {}): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const started = performance.now();
  const child = spawnTs(script, { ...env, PORT: String(port), HOST: "127.0.0.1" }, "ignore", options.nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    resolve();
  }));
  for (;;) {
    if (exited) throw new Error(`${script} exited before it was ready (exit code ${child.exitCode})`);
    if (performance.now() - started > timeoutMs) {
      child.kill("SIGKILL");
      throw new Error(`${script} was not ready within ${timeoutMs} ms`);
    }
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const startupMs = performance.now() - started;
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (exited) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exit;
    clearTimeout(timer);
  };
  return {
    url, child, startupMs,
    peakRss: () => (child.pid ? peakRss(child.pid) : null),
    stop: () => signal("SIGTERM", 5_000),
    kill: () => signal("SIGKILL", 0),
  };
}

/** What the load generator is asked to do: POST signed slash commands, one body per request, in order. */
export interface LoadSpec {
  readonly url: string;
  readonly secret: string;
  readonly connections: number;
  /** Stops after this long, or once every command has been sent, whichever comes first. */
  readonly durationSec: number;
  /** `[user_id, command, text]` per request; never reused (unless `cycle`), so every request changes state once. */
  readonly commands: readonly (readonly [string, string, string])[];
  /** Start over at the end of `commands` (for a server that changes nothing). */
  readonly cycle?: boolean;
  /** Base of the response_urls handed out (a fake Slack). */
  readonly responseBase: string;
}

/** What autocannon measured. */
export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
}

/** Runs bench/load.ts (autocannon) in its own process and returns its figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `funnelbot-load-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const child = spawnTs("bench/load.ts", { LOAD_SPEC: file }, "pipe");
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load generator failed (${code}): ${err.slice(-500)}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as LoadResult;
}
