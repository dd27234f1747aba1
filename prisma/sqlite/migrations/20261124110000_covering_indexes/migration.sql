-- DropIndex
DROP INDEX "Account_stage_stageEnteredAt_idx";

-- CreateIndex
CREATE INDEX "Account_stage_stageEnteredAt_amount_idx" ON "Account"("stage", "stageEnteredAt", "amount");

-- CreateIndex
CREATE INDEX "StageEvent_kind_at_fromStage_toStage_secondsInStage_idx" ON "StageEvent"("kind", "at", "fromStage", "toStage", "secondsInStage");
