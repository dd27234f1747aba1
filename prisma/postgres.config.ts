import path from "node:path";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { providerOf } from "../src/config/database-url.js";

// The schema reads env("DATABASE_URL"); without it the CLI cannot read the generator block, falls back
// to the library engine and tries to download it. A placeholder keeps `prisma generate` offline: it
// never connects, so no server has to run. Commands that do connect (migrate) get the real URL.
const PLACEHOLDER_URL = "postgresql://localhost:5432/funnelbot";
function isPostgresUrl(url: string | undefined): boolean {
  try {
    return !!url && providerOf(url) === "postgresql";
  } catch {
    return false;
  }
}
if (!isPostgresUrl(process.env.DATABASE_URL)) process.env.DATABASE_URL = PLACEHOLDER_URL;

// The JS schema engine reads the catalog to describe a database (`migrate diff`, `db pull`), and the
// catalog has columns of PostgreSQL's internal one-byte `"char"` type (pg_class.relkind, ...).
// @prisma/adapter-pg 7.10 maps `name` but not `"char"` and fails with "Column type 'char' could not be
// deserialized". Its values arrive as one-character strings, so reporting them as text is exact.
const PG_CHAR = 18;
const PG_TEXT = 25;
interface FieldsResult {
  fields?: { dataTypeID: number }[];
}
function charAsText<T>(result: T): T {
  for (const field of (result as FieldsResult | undefined)?.fields ?? []) if (field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
  return result;
}
class CatalogClient extends pg.Client {}
const baseQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
CatalogClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  // Pool.query passes a callback; a checked-out client (transactions) is awaited instead.
  const last = args.at(-1);
  if (typeof last === "function") args[args.length - 1] = (error: unknown, result: unknown) => last(error, charAsText(result));
  const result = baseQuery.apply(this, args);
  return result instanceof Promise ? result.then(charAsText) : result;
} as typeof pg.Client.prototype.query;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "postgres", "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "postgres", "migrations") },
  // The CLI never closes the adapter: without allowExitOnIdle every command waits for pg's 10 s idle timeout.
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL!, Client: CatalogClient, allowExitOnIdle: true }),
});
