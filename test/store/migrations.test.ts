import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { DatabaseProvider } from "../../src/config/database-url.js";
import { migrate, migrationNames, openDatabase } from "../../src/store/database.js";
import { freshPostgresUrl, freshSqliteUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const scratch = mkdtempSync(path.join(os.tmpdir(), "funnelbot-migrations-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a node script and resolves with its exit code and output instead of throwing on non-zero. */
function node(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", ...env }, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const dirs = { sqlite: "sqlite", postgresql: "postgres" } as const;
const configOf = (provider: DatabaseProvider) => path.join(root, "prisma", `${dirs[provider]}.config.ts`);
const schemaOf = (provider: DatabaseProvider) => path.join(root, "prisma", dirs[provider], "schema.prisma");

/**
 * `prisma migrate diff` between what the database at `url` really contains and the models: exit code 0
 * when they match, 2 on drift. With a driver adapter Prisma 6.19 refuses `--from-url`, so the live
 * schema is read with `db pull --print` (introspection through the adapter) and diffed as a datamodel.
 */
async function drift(provider: DatabaseProvider, url: string): Promise<Run> {
  const env = { DATABASE_URL: url };
  const pulled = await node([prismaCli, "db", "pull", "--print", "--config", configOf(provider)], env);
  expect(pulled.code, pulled.stderr).toBe(0);
  // The CLI prints a warning about the datasource url before the schema; keep the schema only.
  const start = pulled.stdout.search(/^(generator|datasource) /m);
  expect(start, pulled.stdout).toBeGreaterThanOrEqual(0);
  const file = path.join(scratch, `${provider}-${Date.now()}-${Math.random().toString(36).slice(2)}.prisma`);
  writeFileSync(file, pulled.stdout.slice(start));
  return node([prismaCli, "migrate", "diff", "--config", configOf(provider), "--from-schema-datamodel", file, "--to-schema-datamodel", schemaOf(provider), "--exit-code"], env);
}

describe("migration histories", () => {
  it("keeps the derived postgres schema up to date with the sqlite one", async () => {
    const check = await node([tsx, path.join(root, "scripts", "derive-postgres-schema.ts"), "--check"]);
    expect(check.code, check.stderr).toBe(0);
  });

  it("has the same migrations for SQLite and PostgreSQL", () => {
    const sqlite = migrationNames("sqlite");
    expect(sqlite.length).toBeGreaterThan(0);
    expect(migrationNames("postgresql")).toEqual(sqlite);
    for (const [provider, dir] of Object.entries(dirs)) {
      expect(readFileSync(path.join(root, "prisma", dir, "migrations", "migration_lock.toml"), "utf8")).toContain(`provider = "${provider}"`);
    }
  });
});

const providers = [
  { name: "SQLite", provider: "sqlite" as const, url: async () => freshSqliteUrl(), available: true },
  { name: "PostgreSQL", provider: "postgresql" as const, url: () => freshPostgresUrl(), available: postgresAvailable() },
];

describe.each(providers.filter((p) => p.available))("migrations on $name", ({ provider, url }) => {
  afterAll(() => {
    if (provider === "postgresql") markPostgresRan();
  });

  it("migrates a fresh database to exactly the models, once", { timeout: 120_000 }, async () => {
    const dbUrl = await url();
    const db = await openDatabase(dbUrl);
    try {
      expect(await migrate(db, dbUrl)).toEqual({ applied: migrationNames(provider) });
      expect(await migrate(db, dbUrl)).toEqual({ applied: [] });
    } finally {
      await db.close();
    }
    const result = await drift(provider, dbUrl);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("notices drift when the database lacks part of the models", { timeout: 120_000 }, async () => {
    const dbUrl = await url();
    const db = await openDatabase(dbUrl);
    try {
      await migrate(db, dbUrl);
      await db.prisma.$executeRawUnsafe(`DROP INDEX "Account_domain_idx"`);
    } finally {
      await db.close();
    }
    const result = await drift(provider, dbUrl);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
    expect(result.stdout).toContain("domain");
  });
});
