import { spawn } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type SqliteDatabase from "better-sqlite3";
import { providerOf, sqliteFileFromUrl, type DatabaseProvider } from "../config/database-url.js";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.js";
import { sqliteDriver, type Driver } from "./driver.js";

/**
 * The Prisma client the repositories use. Both generated clients have the same models (the postgres
 * schema is derived from the sqlite one), so the repositories are written once against this type.
 */
export type Prisma = SqliteClient;

/** An open database and which of the two kinds it is. */
export interface Database {
  readonly provider: DatabaseProvider;
  readonly prisma: Prisma;
  /** The hot path's statements on the driver itself (driver.ts): only the store's hot functions use it. */
  readonly driver: Driver;
  /** Told after each commit that queued outbox messages, so this process delivers them at once. */
  readonly queued: QueuedSignal;
  close(): Promise<void>;
}

/**
 * In-process news that outbox rows were committed. Other replicas and a restarted process do not hear
 * it: their workers' polls still find the rows.
 */
export interface QueuedSignal {
  /** Calls `listener` after every such commit; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  notify(): void;
}

function queuedSignal(): QueuedSignal {
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify() {
      for (const listener of listeners) listener();
    },
  };
}

/**
 * Every transaction may wait its turn behind the others (SQLite has one writer; PostgreSQL a pool of ten
 * connections) for longer than Prisma's 2 s default under a burst on a busy machine, and finishes in
 * milliseconds once in: waiting longer beats answering the user with an error. Past it, the command is
 * answered "busy, try again" (see `isDatabaseBusy`).
 */
export const DEFAULT_WAIT_MS = 10_000;

/** How a database is opened. */
export interface DatabaseOptions {
  /** How long a statement or transaction waits for the database (SQLite's writer, a turn) before giving up. */
  readonly waitMs?: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Opens the database a DATABASE_URL names (SQLite file by default), tuned for short write transactions. */
export async function openDatabase(url: string | undefined, options: DatabaseOptions = {}): Promise<Database> {
  const provider = providerOf(url);
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const transactionOptions = { maxWait: waitMs, timeout: Math.max(waitMs, DEFAULT_WAIT_MS) };
  if (provider === "postgresql") {
    const { postgresClient, postgresDriver } = await import("./postgres.js");
    const prisma = postgresClient(url!, transactionOptions) as unknown as Prisma;
    const driver = postgresDriver(url!, waitMs);
    return { provider, prisma, driver, queued: queuedSignal(), close: async () => {
      await driver.close();
      await prisma.$disconnect();
    } };
  }
  const file = sqliteFileFromUrl(url);
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const adapter = new CapturingSqliteAdapter({ url: file, timeout: waitMs });
  const prisma = new SqliteClient({ adapter, transactionOptions });
  // WAL with synchronous=NORMAL makes a write ~6x cheaper than the default journal (measured here).
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");
  const driver = sqliteDriver(() => {
    if (!adapter.client?.open) throw new Error("the SQLite connection is closed");
    return adapter.client;
  }, waitMs);
  return { provider, prisma, driver, queued: queuedSignal(), close: () => prisma.$disconnect() };
}

/**
 * Prisma's better-sqlite3 adapter, keeping hold of the connection it opens: the hot path's statements run on
 * that same connection (driver.ts), so SQLite sees one connection per process, as before.
 */
class CapturingSqliteAdapter extends PrismaBetterSQLite3 {
  client: SqliteDatabase.Database | null = null;

  override async connect(): Promise<Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>> {
    const adapter = await super.connect();
    this.client = (adapter as unknown as { client: SqliteDatabase.Database }).client;
    return adapter;
  }
}

/** The migration folders shipped for a provider, oldest first. */
export function migrationNames(provider: DatabaseProvider): string[] {
  const dir = path.join(root, "prisma", provider === "sqlite" ? "sqlite" : "postgres", "migrations");
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Names of migrations the database has applied; empty for a new database. */
async function appliedMigrations(db: Database): Promise<Set<string>> {
  try {
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.map((r) => r.migration_name));
  } catch {
    return new Set();
  }
}

/**
 * Applies pending migrations with the Prisma CLI (`migrate deploy`, the JS schema engine: no download).
 * Checking the applied list first keeps an up-to-date start at one query instead of a CLI run.
 */
export async function migrate(db: Database, url: string | undefined): Promise<{ applied: string[] }> {
  const applied = await appliedMigrations(db);
  const pending = migrationNames(db.provider).filter((name) => !applied.has(name));
  if (pending.length === 0) return { applied: [] };
  const config = path.join(root, "prisma", db.provider === "sqlite" ? "sqlite.config.ts" : "postgres.config.ts");
  const databaseUrl = db.provider === "sqlite" ? `file:${sqliteFileFromUrl(url)}` : url!;
  if (db.provider === "postgresql") {
    await deploy(config, databaseUrl);
    return { applied: pending };
  }
  // The schema engine locks the file exclusively, which a WAL connection (ours) prevents: step out of WAL
  // for the few milliseconds the migration takes.
  await db.prisma.$queryRawUnsafe("PRAGMA journal_mode = DELETE");
  try {
    await deploy(config, databaseUrl);
  } finally {
    await db.prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  }
  return { applied: pending };
}

const DEPLOYED = /All migrations have been successfully applied|No pending migrations to apply/;

/**
 * Runs `prisma migrate deploy`. On PostgreSQL the CLI prints its result and then idles for seconds on a
 * timer it leaves behind; once it has said the migrations are applied, there is nothing left to wait for.
 */
function deploy(config: string, databaseUrl: string): Promise<void> {
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const env = { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "migrate", "deploy", "--config", config], { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let done = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!done && DEPLOYED.test(output)) {
        done = true;
        child.kill();
        resolve();
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (done) return;
      if (code === 0) resolve();
      // The CLI's own words say which migration failed and why; the URL is not in them.
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim().split("\n").slice(-12).join("\n")}`));
    });
  });
}
