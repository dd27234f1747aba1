import path from "node:path";

/** The embedded default when DATABASE_URL is unset: a SQLite file under ./data/. */
export const DEFAULT_DATABASE_URL = "file:./data/funnelbot.db";

/** Which of the two supported databases a URL points at. */
export type DatabaseProvider = "sqlite" | "postgresql";

/** Reads the provider from a DATABASE_URL; undefined and empty mean the SQLite default. */
export function providerOf(url: string | undefined): DatabaseProvider {
  const value = url?.trim() || DEFAULT_DATABASE_URL;
  if (/^postgres(ql)?:\/\//i.test(value)) return "postgresql";
  if (value.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: or postgresql:// (got "${value.split(":")[0]}:")`);
}

/** Turns `file:./data/x.db` (relative to the working directory) into a path better-sqlite3 opens. */
export function sqliteFileFromUrl(url: string | undefined): string {
  const value = url?.trim() || DEFAULT_DATABASE_URL;
  const file = value.replace(/^file:/, "");
  return file === ":memory:" ? file : path.resolve(file);
}
