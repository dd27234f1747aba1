import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { DEFAULT_DATABASE_URL, sqliteFileFromUrl } from "../src/config/database-url.js";

// The schema reads env("DATABASE_URL"); without it the CLI cannot read the generator block, falls back
// to the library engine and tries to download it. The default keeps every command offline.
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "sqlite", "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "sqlite", "migrations") },
  adapter: async () => new PrismaBetterSQLite3({ url: sqliteFileFromUrl(process.env.DATABASE_URL) }),
});
