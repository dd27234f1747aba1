/**
 * Child processes for the benchmarks and the chaos suite: the real server (`src/main.ts`) or any other
 * TypeScript entry point, each in its own Node.js process, so a server's RSS and start-up are its own, the
 * load never shares an event loop with what it measures, and `kill -9` ends the server and nothing else.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./postgres-cluster.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The Node.js flags production runs the server with: those of `npm run start:prod` (`node <flags> dist/main.js`),
 * which the container's CMD and the systemd unit repeat (test/production-flags.test.ts checks they agree).
 * The benchmarks and the chaos suite start `src/main.ts` with them too, so they measure what production runs.
 */
export function serverNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const words = scripts["start:prod"]!.trim().split(/\s+/);
  if (words[0] !== "node" || words.at(-1) !== "dist/main.js") throw new Error(`start:prod is not "node [flags] dist/main.js": ${scripts["start:prod"]}`);
  return words.slice(1, -1);
}

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

/** CPU time (user + system) a live process has used so far, in ms (Linux /proc); null where it is not there. */
export function cpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Clock ticks: 100 a second on Linux (USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) * 10;
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
  /** CPU time it has used so far, in ms (see `cpuMs`). */
  cpuMs(): number | null;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** kill -9, no goodbye; resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Starts `script` with `env` plus PORT (the server, `src/main.ts`, with production's Node.js flags), and waits
 * (bounded) until its `/healthz` answers 200. The child is killed if this process exits first, so a crashed or
 * interrupted test run leaves no server behind.
 */
export async function startServer(script: string, env: Record<string, string>, options: { timeoutMs?: number; nodeArgs?: readonly string[] } = {}): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const started = performance.now();
  const nodeArgs = [...(script === "src/main.ts" ? serverNodeFlags() : []), ...(options.nodeArgs ?? [])];
  const child = spawnTs(script, { ...env, PORT: String(port), HOST: "127.0.0.1" }, "ignore", nodeArgs);
  const orphan = () => child.kill("SIGKILL");
  process.once("exit", orphan);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    process.removeListener("exit", orphan);
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
    cpuMs: () => (child.pid ? cpuMs(child.pid) : null),
    stop: () => signal("SIGTERM", 5_000),
    kill: () => signal("SIGKILL", 0),
  };
}
