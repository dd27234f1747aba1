/**
 * Hand-written SQL for the hot paths (a command's reads and its write, the outbox's claim and mark).
 *
 * A Prisma model query spends ~0.4 ms of CPU compiling its plan in the client engine's WASM compiler; the
 * same statement as raw SQL costs ~0.07 ms (measured here, bench/README). A command makes a dozen of them,
 * so the few statements on every command's path are written out; everything else stays a model query.
 * The statements run unchanged on SQLite and PostgreSQL: double-quoted identifiers, template
 * placeholders, RETURNING (SQLite ≥ 3.35). Dates go in as Date; through `$queryRaw` they come back as Date,
 * through the driver (driver.ts, the hottest of them) as Date on PostgreSQL and text on SQLite (`toDate`).
 */
import { Prisma as P } from "./generated/sqlite/client.js";

export const sql = P.sql;
export const join = P.join;
export const empty = P.empty;
/** Trusted SQL text, never user input: column names taken from our own model selects. */
export const raw = P.raw;
export type Sql = P.Sql;

/** The driver's own account of a failed statement (Prisma's P2010 for raw ones), when there is one. */
function driverCause(error: unknown): { kind?: string; originalCode?: string } | null {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } } | null)?.meta;
  return meta?.driverAdapterError?.cause ?? null;
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** A unique constraint refused the write: P2002 from a model query, or the driver's kind from a raw one. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  // The last three: straight from the drivers, for the statements run on them (driver.ts).
  return code === "P2002" || driverCause(error)?.kind === "UniqueConstraintViolation"
    || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "23505";
}

/**
 * The database could not be had in time: SQLite's writer stayed locked past the busy timeout, a transaction
 * waited past `maxWait` for its turn (P2028) or a connection (P2024), or a statement timed out (P1008,
 * PostgreSQL's lock or statement timeout). Nothing was written; the same command may simply be tried again.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "P1008" || code === "P2024" || code === "P2028") return true;
  // Straight from the drivers (driver.ts): SQLite's busy codes, pg's lock or statement timeout, or no pool connection in time.
  if (typeof code === "string" && (/^SQLITE_BUSY/.test(code) || code === "55P03" || code === "57014")) return true;
  if (error instanceof Error && /timeout exceeded when trying to connect/.test(error.message)) return true;
  const cause = driverCause(error);
  return cause?.kind === "SocketTimeout" || /^SQLITE_BUSY/.test(cause?.originalCode ?? "") || cause?.originalCode === "55P03" || cause?.originalCode === "57014";
}

/** PostgreSQL aborted the transaction over a write conflict or a deadlock: worth deciding again. */
export function isWriteConflict(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "P2034" || code === "40001" || code === "40P01") return true;
  const cause = driverCause(error);
  return cause?.kind === "TransactionWriteConflict" || cause?.originalCode === "40001" || cause?.originalCode === "40P01";
}

/**
 * A time read by a statement on the driver (driver.ts): PostgreSQL's rows already hold a Date, SQLite's the
 * ISO text Prisma's adapter wrote (or epoch milliseconds, its other format).
 */
export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}
