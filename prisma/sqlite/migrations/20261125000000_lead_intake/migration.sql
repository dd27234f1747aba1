-- AlterTable
ALTER TABLE "Account" ADD COLUMN "title" TEXT;

-- CreateTable
CREATE TABLE "LeadActivity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "key" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "LeadActivity_key_key" ON "LeadActivity"("key");

-- CreateIndex
CREATE INDEX "LeadActivity_accountId_kind_idx" ON "LeadActivity"("accountId", "kind");

-- CreateIndex
CREATE INDEX "Account_email_idx" ON "Account"("email");

