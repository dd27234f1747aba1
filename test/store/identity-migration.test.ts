import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { findMember, listMembers } from "../../src/store/members.js";
import { findTeam } from "../../src/store/teams.js";
import { freshPostgresUrl, freshSqliteUrl, markPostgresRan, postgresAvailable } from "../support/databases.js";
import { migrateAcross } from "../support/migrate-across.js";

const IDENTITIES = "20261201100000_identities_as_rows";

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
    await migrateAcross("sqlite", url, IDENTITIES, (old) => old.run(OLD_ROWS));
    await checkMoved(url);
  });

  it.runIf(postgresAvailable())("moves the old member and team columns into MemberIdentity and TeamChannel on PostgreSQL", async () => {
    const url = await freshPostgresUrl();
    markPostgresRan();
    await migrateAcross("postgresql", url, IDENTITIES, (old) => old.run(OLD_ROWS));
    await checkMoved(url);
  });
});
