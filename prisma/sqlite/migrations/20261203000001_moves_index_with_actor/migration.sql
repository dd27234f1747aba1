-- DropIndex
DROP INDEX "StageEvent_kind_at_fromStage_toStage_secondsInStage_idx";

-- CreateIndex
CREATE INDEX "StageEvent_kind_at_moves_idx" ON "StageEvent"("kind", "at", "fromStage", "toStage", "secondsInStage", "actorId");

