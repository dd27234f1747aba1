/**
 * What opening a PostgreSQL database needs: its Prisma client and adapter, and the hot path's pg pool.
 * database.ts imports this module only when DATABASE_URL names PostgreSQL, so a SQLite process never loads
 * pg, its adapter or the second generated client.
 */
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { MAX_PREPARED, type Driver } from "./driver.js";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.js";
import type { Sql } from "./sql.js";

/** Prisma's client on PostgreSQL, `max` connections, with the given transaction options. */
export function postgresClient(url: string, transactionOptions: { maxWait: number; timeout: number }): PostgresClient {
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }), transactionOptions });
}

/** PostgreSQL's timestamp(3) columns hold UTC wall-clock times, as Prisma writes them. */
function pgValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString().replace("Z", "") : value;
}

/** A driver on a pg pool of its own, `max` connections, waiting at most `waitMs` for one. */
export function postgresDriver(url: string, waitMs: number, max = 10): Driver {
  const pool = new pg.Pool({
    connectionString: url, max, connectionTimeoutMillis: waitMs,
    types: {
      // timestamp without time zone: read as UTC (pg's default would read the server process's local time).
      getTypeParser: ((oid: number, format?: string) =>
        oid === 1114 ? (text: string) => new Date(`${text.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const names = new Map<string, string>();
  const query = (statement: Sql): pg.QueryConfig => {
    let name = names.get(statement.text);
    if (!name) {
      if (names.size >= MAX_PREPARED * 4) names.clear();
      name = `fb_${createHash("sha1").update(statement.text).digest("hex").slice(0, 20)}`;
      names.set(statement.text, name);
    }
    return { name, text: statement.text, values: statement.values.map(pgValue) };
  };
  return {
    async rows<T>(statement: Sql) {
      return (await pool.query(query(statement))).rows as T[];
    },
    async run(statement) {
      return (await pool.query(query(statement))).rowCount ?? 0;
    },
    async transaction(steps) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const returned: unknown[][] = [];
        for (const step of steps) {
          const result = await client.query(query(step.sql));
          if (step.expect !== undefined && (result.rowCount ?? 0) !== step.expect) {
            await client.query("ROLLBACK");
            return { committed: false };
          }
          returned.push(result.rows);
        }
        await client.query("COMMIT");
        return { committed: true, returned };
      } catch (error) {
        await client.query("ROLLBACK").catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
