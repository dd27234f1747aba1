/**
 * The load generator's side of the benchmarks: what it is asked to do, what it measured, and how to run it
 * (bench/load.ts, autocannon) in its own process. The server processes themselves are test/support/processes.ts.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnTs } from "../test/support/processes.js";

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
