-- CreateTable
CREATE TABLE "PostedCard" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "outboxId" INTEGER,
    "live" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "PostedCard_accountId_live_idx" ON "PostedCard"("accountId", "live");
