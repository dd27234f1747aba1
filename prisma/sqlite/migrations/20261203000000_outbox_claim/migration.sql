-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "cardAccountId" INTEGER;

-- CreateIndex
CREATE INDEX "OutboxMessage_status_id_idx" ON "OutboxMessage"("status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_targetKind_target_status_id_idx" ON "OutboxMessage"("targetKind", "target", "status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_cardAccountId_status_id_idx" ON "OutboxMessage"("cardAccountId", "status", "id");

-- Backfill the messages still to send, so a card update queued before the upgrade still waits for the
-- message that posts its card: a cards row names the account in its target, a notice in the card of its payload.
UPDATE "OutboxMessage" SET "cardAccountId" = CASE
    WHEN "targetKind" = 'cards' THEN CAST("target" AS INTEGER)
    ELSE json_extract("payload", '$.card.accountId')
  END
WHERE "status" = 'pending' AND (
  ("targetKind" = 'cards' AND "target" <> '' AND length("target") <= 9 AND "target" NOT GLOB '*[^0-9]*')
  OR ("targetKind" <> 'cards' AND json_valid("payload") AND json_type("payload", '$.card.accountId') = 'integer')
);
