/**
 * A throwaway PostgreSQL cluster on 127.0.0.1, for the tests (global-setup.ts) and the benchmarks.
 *
 * initdb + pg_ctl start it in a temporary directory on a free port of 127.0.0.1 only (Unix socket in the
 * same directory, trust auth, fsync off). As root, they run as the `postgres` user, because initdb
 * refuses to run as root.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** The directory with initdb and pg_ctl: PostgreSQL 15 from Debian first, then any other version. */
export function findPostgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const dirs = [path.join(base, "15", "bin"), ...versions.map((v) => path.join(base, v, "bin"))];
  return dirs.find((dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) ?? null;
}

/** A port nobody listens on right now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running cluster: its superuser URL, and how to stop it and remove its files. */
export interface Cluster {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a cluster with the binaries in `bin` (see findPostgresBin). */
export async function startCluster(bin: string): Promise<Cluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "funnelbot-pg-"));
  if (asRoot) {
    const ids = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]).catch(() => {
      throw new Error("Running as root, the test PostgreSQL cluster must run as the `postgres` user, which does not exist (apt-get install postgresql creates it).");
    });
    chownSync(dir, Number(ids[0].stdout.trim()), Number(ids[1].stdout.trim()));
  }
  // initdb refuses root: drop to the postgres user for every server command.
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const data = path.join(dir, "data");
  const log = path.join(dir, "server.log");
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await pg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const options = [`-p ${port}`, "-c listen_addresses=127.0.0.1", `-k '${dir}'`, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300"].join(" ");
      try {
        await pg("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start"]);
      } catch (error) {
        lastError = error; // most likely someone took the port in between: try another one
        continue;
      }
      const stop = async () => {
        await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
        remove();
      };
      return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
    }
    throw lastError;
  } catch (error) {
    const detail = existsSync(log) ? ` (server log: ${log})` : "";
    const message = error instanceof Error ? error.message : String(error);
    if (!detail) remove();
    throw new Error(`Could not start the test PostgreSQL cluster with ${bin}${detail}: ${message}`, { cause: error });
  }
}

/** Creates the empty database `name` on the server at `server` (a URL) and returns the database's URL. */
export async function createDatabase(server: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}
