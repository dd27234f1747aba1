-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "handle" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "teamKey" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "away" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "slackUserId" TEXT,
    "wecomUserId" TEXT,
    "region" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Member_teamKey_fkey" FOREIGN KEY ("teamKey") REFERENCES "Team" ("key") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("away", "createdAt", "displayName", "handle", "id", "locale", "region", "role", "slackUserId", "teamKey", "wecomUserId") SELECT "away", "createdAt", "displayName", "handle", "id", "locale", "region", "role", "slackUserId", "teamKey", "wecomUserId" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE UNIQUE INDEX "Member_handle_key" ON "Member"("handle");
CREATE UNIQUE INDEX "Member_slackUserId_key" ON "Member"("slackUserId");
CREATE UNIQUE INDEX "Member_wecomUserId_key" ON "Member"("wecomUserId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

