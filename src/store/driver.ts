/**
 * The hot path's direct line to the database: the few statements every command and every outbox delivery
 * makes (see sql.ts) run here on the driver itself instead of through Prisma's client, which spends most of
 * an accept's CPU on a raw statement's way in and out (README, Benchmarks). The statements are the same
 * `sql` templates; only who runs them changes.
 *
 * SQLite: the very connection Prisma's adapter opened (captured when it connects), with each statement
 * prepared once and kept. better-sqlite3 is synchronous, so a statement or a whole transaction here runs
 * without yielding and cannot interleave with Prisma's; an interactive Prisma transaction open on the
 * connection is waited out (asynchronously) first, so nothing here ever runs inside someone else's.
 * PostgreSQL: a small pg pool of its own beside Prisma's, with named (server-prepared) statements
 * (postgres.ts, loaded only by a process that opens PostgreSQL).
 */
import type SqliteDatabase from "better-sqlite3";
import type { Sql } from "./sql.js";

/** One statement of a transaction, and how many rows it must change for the transaction to go on. */
export interface Step {
  readonly sql: Sql;
  /** When set and the statement changed another number of rows, everything rolls back. */
  readonly expect?: number;
}

/** What a transaction did: committed, or rolled back because a step's `expect` did not hold. */
export type StepsOutcome = { readonly committed: true; readonly returned: readonly unknown[][] } | { readonly committed: false };

/** Statements on the driver, for the store's hot functions only. */
export interface Driver {
  /** The rows a statement returns (SELECT, or a write with RETURNING). */
  rows<T>(statement: Sql): Promise<T[]>;
  /** How many rows a write changed. */
  run(statement: Sql): Promise<number>;
  /** Runs `steps` in one transaction, in order: all or nothing. Rows returned by each step, in order. */
  transaction(steps: readonly Step[]): Promise<StepsOutcome>;
  close(): Promise<void>;
}

/** The error a statement gets when the database could not be had in time; `isDatabaseBusy` knows it. */
export class DatabaseBusy extends Error {
  readonly code = "SQLITE_BUSY";
}

export const MAX_PREPARED = 256;

/** SQLite stores times as Prisma's adapter writes them: ISO text with an explicit UTC offset. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/**
 * A driver on the better-sqlite3 connection `client()` returns (Prisma's, once it has connected).
 * `waitMs` bounds how long a statement waits for an open Prisma transaction to finish.
 */
export function sqliteDriver(client: () => SqliteDatabase.Database, waitMs: number): Driver {
  let owner: SqliteDatabase.Database | null = null;
  const prepared = new Map<string, SqliteDatabase.Statement>();
  const prepare = (statement: Sql): SqliteDatabase.Statement => {
    const db = client();
    if (db !== owner) {
      prepared.clear();
      owner = db;
    }
    let stmt = prepared.get(statement.sql);
    if (!stmt) {
      if (prepared.size >= MAX_PREPARED) prepared.clear();
      stmt = db.prepare(statement.sql);
      // Prisma's adapter turns on safe integers for the connection; our columns fit in a double.
      if (stmt.reader) stmt.safeIntegers(false);
      prepared.set(statement.sql, stmt);
    }
    return stmt;
  };
  const values = (statement: Sql) => statement.values.map(sqliteValue);
  /** Waits (without blocking the event loop) until no Prisma transaction is open on the connection. */
  const free = async (): Promise<void> => {
    if (!client().inTransaction) return;
    const until = performance.now() + waitMs;
    while (client().inTransaction) {
      if (performance.now() > until) throw new DatabaseBusy("the database stayed in another transaction");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const exec = (statement: Sql): { rows: unknown[]; changes: number } => {
    const stmt = prepare(statement);
    if (stmt.reader) {
      const rows = stmt.all(...values(statement));
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: stmt.run(...values(statement)).changes };
  };
  return {
    async rows<T>(statement: Sql) {
      await free();
      return exec(statement).rows as T[];
    },
    async run(statement) {
      await free();
      return exec(statement).changes;
    },
    async transaction(steps) {
      await free();
      const db = client();
      const rollback = new Error("rollback");
      const returned: unknown[][] = [];
      try {
        // IMMEDIATE: the write lock is taken first, so no read-then-upgrade can fail half-way.
        db.transaction(() => {
          for (const step of steps) {
            const { rows, changes } = exec(step.sql);
            if (step.expect !== undefined && changes !== step.expect) throw rollback;
            returned.push(rows);
          }
        }).immediate();
      } catch (error) {
        if (error === rollback) return { committed: false };
        throw error;
      }
      return { committed: true, returned };
    },
    close: async () => undefined,
  };
}
