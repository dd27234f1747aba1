/**
 * Vitest global setup: a throwaway PostgreSQL cluster for the tests that run on both databases.
 *
 * - FUNNELBOT_TEST_POSTGRES_URL names a server to use instead (a superuser URL: tests create databases).
 * - Otherwise a throwaway cluster starts on 127.0.0.1 (see postgres-cluster.ts: initdb + pg_ctl in a
 *   temporary directory, trust auth, fsync off; as root, run as the `postgres` user).
 * - Without PostgreSQL binaries the PG tests are skipped, unless FUNNELBOT_REQUIRE_POSTGRES=1 (CI), where
 *   that is an error. Tests that did run on PostgreSQL leave test-artifacts/postgres-ran as proof.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { findPostgresBin, startCluster } from "./postgres-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the test PostgreSQL server; empty when PostgreSQL tests are skipped. */
    postgresUrl: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const POSTGRES_RAN_MARKER = path.join(root, "test-artifacts", "postgres-ran");

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  rmSync(POSTGRES_RAN_MARKER, { force: true });
  const given = process.env.FUNNELBOT_TEST_POSTGRES_URL?.trim();
  if (given) {
    provide("postgresUrl", given);
    return async () => {};
  }
  const bin = findPostgresBin();
  if (!bin) {
    if (process.env.FUNNELBOT_REQUIRE_POSTGRES === "1") {
      throw new Error("FUNNELBOT_REQUIRE_POSTGRES=1 but PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin). Install it with `apt-get install -y postgresql` or set FUNNELBOT_TEST_POSTGRES_URL.");
    }
    console.warn("PostgreSQL not found under /usr/lib/postgresql/*/bin: PostgreSQL tests are skipped (apt-get install postgresql, or set FUNNELBOT_TEST_POSTGRES_URL).");
    provide("postgresUrl", "");
    return async () => {};
  }
  const cluster = await startCluster(bin);
  provide("postgresUrl", cluster.url);
  return () => cluster.stop();
}
