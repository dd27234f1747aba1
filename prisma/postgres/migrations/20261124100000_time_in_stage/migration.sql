-- AlterTable
ALTER TABLE "StageEvent" ADD COLUMN "secondsInStage" INTEGER;

-- CreateIndex
CREATE INDEX "Account_stage_lastActivityAt_idx" ON "Account"("stage", "lastActivityAt");

-- CreateIndex
CREATE INDEX "StageEvent_fromStage_at_idx" ON "StageEvent"("fromStage", "at");
