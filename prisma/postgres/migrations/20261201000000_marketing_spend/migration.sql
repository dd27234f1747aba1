-- CreateTable
CREATE TABLE "SpendEvent" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'CNY',
    "actorId" INTEGER,
    "platform" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SpendEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SpendEvent_month_channel_idx" ON "SpendEvent"("month", "channel");
