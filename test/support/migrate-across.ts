/**
 * Upgrade tests for a data migration: a database migrated up to just before `migration`, filled with rows as
 * the old schema held them, then migrated the rest of the way, on SQLite or PostgreSQL.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { sqliteFileFromUrl } from "../../src/config/database-url.js";
import { migrationNames } from "../../src/store/database.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

type Provider = "sqlite" | "postgresql";

/** The database as it stood before the migration: statements run on it directly. */
export interface OldDatabase {
  /** Runs `sql`: one statement with `params`, or several without. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** The n-th (1-based) parameter's placeholder in this database's SQL. */
  placeholder(n: number): string;
}

/** The SQL of each migration of a provider before (`before`) or from (`from`) the migration named. */
function scripts(provider: Provider, migration: string, part: "before" | "from"): string[] {
  const names = migrationNames(provider);
  const at = names.indexOf(migration);
  if (at < 0) throw new Error(`no migration ${migration} for ${provider}`);
  return (part === "before" ? names.slice(0, at) : names.slice(at)).map((name) =>
    readFileSync(path.join(root, "prisma", provider === "sqlite" ? "sqlite" : "postgres", "migrations", name, "migration.sql"), "utf8"));
}

/** Migrates the empty database at `url` up to `migration`, lets `fill` write old rows, then migrates the rest. */
export async function migrateAcross(provider: Provider, url: string, migration: string, fill: (db: OldDatabase) => Promise<void>): Promise<void> {
  if (provider === "sqlite") {
    const file = new Sqlite(sqliteFileFromUrl(url));
    try {
      for (const script of scripts(provider, migration, "before")) file.exec(script);
      await fill({
        run: async (sql, params) => void (params ? file.prepare(sql).run(...params) : file.exec(sql)),
        placeholder: () => "?",
      });
      for (const script of scripts(provider, migration, "from")) file.exec(script);
    } finally {
      file.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const script of scripts(provider, migration, "before")) await client.query(script);
    await fill({
      run: async (sql, params) => void (await client.query(sql, params ? [...params] : undefined)),
      placeholder: (n) => `$${n}`,
    });
    for (const script of scripts(provider, migration, "from")) await client.query(script);
  } finally {
    await client.end();
  }
}
