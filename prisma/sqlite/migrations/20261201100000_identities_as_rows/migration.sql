-- CreateTable
CREATE TABLE "TeamChannel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "teamKey" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TeamChannel_teamKey_fkey" FOREIGN KEY ("teamKey") REFERENCES "Team" ("key") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MemberIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MemberIdentity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- Data: every platform id of the old columns becomes a row, before the columns go.
INSERT INTO "MemberIdentity" ("platform", "externalId", "memberId") SELECT 'slack', "slackUserId", "id" FROM "Member" WHERE "slackUserId" IS NOT NULL;
INSERT INTO "MemberIdentity" ("platform", "externalId", "memberId") SELECT 'wecom', "wecomUserId", "id" FROM "Member" WHERE "wecomUserId" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'slack', 'channel', "slackChannel" FROM "Team" WHERE "slackChannel" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'wecom', 'chat', "wecomChatId" FROM "Team" WHERE "wecomChatId" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'wecom', 'robot', "wecomRobotKey" FROM "Team" WHERE "wecomRobotKey" IS NOT NULL;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Team" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "lastAssignedId" INTEGER,
    "calendar" TEXT,
    "timezone" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Team" ("calendar", "createdAt", "key", "lastAssignedId", "locale", "name", "timezone") SELECT "calendar", "createdAt", "key", "lastAssignedId", "locale", "name", "timezone" FROM "Team";
DROP TABLE "Team";
ALTER TABLE "new_Team" RENAME TO "Team";
CREATE TABLE "new_Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "handle" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "teamKey" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "away" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "email" TEXT,
    "region" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Member_teamKey_fkey" FOREIGN KEY ("teamKey") REFERENCES "Team" ("key") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("active", "away", "createdAt", "displayName", "handle", "id", "locale", "region", "role", "teamKey") SELECT "active", "away", "createdAt", "displayName", "handle", "id", "locale", "region", "role", "teamKey" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE UNIQUE INDEX "Member_handle_key" ON "Member"("handle");
CREATE UNIQUE INDEX "Member_email_key" ON "Member"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "TeamChannel_teamKey_platform_kind_key" ON "TeamChannel"("teamKey", "platform", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "MemberIdentity_platform_externalId_key" ON "MemberIdentity"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "MemberIdentity_memberId_platform_key" ON "MemberIdentity"("memberId", "platform");

