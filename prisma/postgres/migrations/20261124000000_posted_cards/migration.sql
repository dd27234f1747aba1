-- CreateTable
CREATE TABLE "PostedCard" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "outboxId" INTEGER,
    "live" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PostedCard_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PostedCard_accountId_live_idx" ON "PostedCard"("accountId", "live");
