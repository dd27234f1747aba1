import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteFileFromUrl } from "../../src/config/database-url.js";
import { migrationNames, openDatabase } from "../../src/store/database.js";
import { findMember, listMembers } from "../../src/store/members.js";
import { findTeam } from "../../src/store/teams.js";
import { freshPostgresUrl, freshSqliteUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const IDENTITIES = "20261201100000_identities_as_rows";

/** The SQL of each migration of a provider up to (`before`) or from the identities migration. */
function migrations(provider: "sqlite" | "postgresql", part: "before" | "from"): string[] {
  const names = migrationNames(provider);
  const at = names.indexOf(IDENTITIES);
  return (part === "before" ? names.slice(0, at) : names.slice(at)).map((name) =>
    readFileSync(path.join(root, "prisma", provider === "sqlite" ? "sqlite" : "postgres", "migrations", name, "migration.sql"), "utf8"));
}

// The old columns, filled as a database from before this migration has them.
const OLD_ROWS = `
  INSERT INTO "Team" ("key", "name", "locale", "slackChannel", "wecomChatId", "wecomRobotKey") VALUES ('sales', 'Sales', 'en', 'C_SALES', 'wr_chat', 'robot-key');
  INSERT INTO "Member" ("handle", "displayName", "teamKey", "role", "locale", "slackUserId", "wecomUserId") VALUES ('alice', 'Alice', 'sales', 'rep', 'en', 'U_ALICE', 'AliceW');
  INSERT INTO "Member" ("handle", "displayName", "teamKey", "role", "locale", "slackUserId") VALUES ('bob', 'Bob', 'sales', 'rep', 'en', 'U_BOB');`;

const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

async function checkMoved(url: string): Promise<void> {
  const db = await openDatabase(url);
  opened.push(db);
  expect(await findMember(db, { slackUserId: "U_ALICE" })).toMatchObject({ handle: "alice", slackUserId: "U_ALICE", wecomUserId: "AliceW" });
  expect(await findMember(db, { wecomUserId: "AliceW" })).toMatchObject({ handle: "alice" });
  expect(await findMember(db, { platform: "slack", externalId: "U_BOB" })).toMatchObject({ handle: "bob", wecomUserId: null });
  expect((await listMembers(db)).map((m) => m.handle)).toEqual(["alice", "bob"]);
  expect(await findTeam(db, "sales")).toMatchObject({ slackChannel: "C_SALES", wecomChatId: "wr_chat", wecomRobotKey: "robot-key" });
  expect(await db.prisma.memberIdentity.count()).toBe(3);
  expect(await db.prisma.teamChannel.count()).toBe(3);
}

describe("platform identities become rows", () => {
  it("moves the old member and team columns into MemberIdentity and TeamChannel on SQLite", async () => {
    const url = freshSqliteUrl();
    const file = new Sqlite(sqliteFileFromUrl(url));
    for (const script of migrations("sqlite", "before")) file.exec(script);
    file.exec(OLD_ROWS);
    for (const script of migrations("sqlite", "from")) file.exec(script);
    file.close();
    await checkMoved(url);
  });

  it.runIf(postgresAvailable())("moves the old member and team columns into MemberIdentity and TeamChannel on PostgreSQL", async () => {
    const url = await freshPostgresUrl();
    markPostgresRan();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const script of migrations("postgresql", "before")) await client.query(script);
      await client.query(OLD_ROWS);
      for (const script of migrations("postgresql", "from")) await client.query(script);
    } finally {
      await client.end();
    }
    await checkMoved(url);
  });
});
