/** Fresh, isolated databases for tests: a new SQLite file, or a new database on the test PostgreSQL server. */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { createDatabase } from "./postgres-cluster.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function suffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(6).toString("hex")}`;
}

/** A `file:` URL of a new SQLite database under the system temp directory (created on open). */
export function freshSqliteUrl(): string {
  const dir = path.join(os.tmpdir(), "funnelbot-test");
  mkdirSync(dir, { recursive: true });
  return `file:${path.join(dir, `${suffix()}.db`)}`;
}

/** Whether the global setup provided a PostgreSQL server (see test/support/global-setup.ts). */
export function postgresAvailable(): boolean {
  return inject("postgresUrl") !== "";
}

/** Creates an empty database `fb_<random>` on the test PostgreSQL server and returns its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const server = inject("postgresUrl");
  if (!server) throw new Error("No test PostgreSQL server: guard the test with postgresAvailable().");
  return createDatabase(server, `fb_${suffix()}`);
}

/** Leaves test-artifacts/postgres-ran, which .ci/run requires as proof that PostgreSQL tests did run. */
export function markPostgresRan(): void {
  const file = path.join(root, "test-artifacts", "postgres-ran");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${new Date().toISOString()}\n`);
}

/** A database kind tests run on, and how to get a fresh one of it. */
export interface TestDatabase {
  readonly name: "SQLite" | "PostgreSQL";
  url(): Promise<string>;
}

/**
 * The databases store-backed tests run on, for `describe.each`: a fresh SQLite file always, and a fresh
 * PostgreSQL database when the global setup started a server — opening one records that PostgreSQL ran.
 */
export function testDatabases(): TestDatabase[] {
  return [
    { name: "SQLite", url: async () => freshSqliteUrl() },
    ...(postgresAvailable()
      ? [{ name: "PostgreSQL" as const, url: async () => {
        const url = await freshPostgresUrl();
        markPostgresRan();
        return url;
      } }]
      : []),
  ];
}
