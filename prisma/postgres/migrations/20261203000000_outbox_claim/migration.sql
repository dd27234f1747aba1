-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "cardAccountId" INTEGER;

-- CreateIndex
CREATE INDEX "OutboxMessage_status_id_idx" ON "OutboxMessage"("status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_targetKind_target_status_id_idx" ON "OutboxMessage"("targetKind", "target", "status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_cardAccountId_status_id_idx" ON "OutboxMessage"("cardAccountId", "status", "id");

-- Backfill the messages still to send, so a card update queued before the upgrade still waits for the
-- message that posts its card: a cards row names the account in its target, a notice in the card of its payload
-- (matched as text, so an unreadable payload cannot fail the migration).
UPDATE "OutboxMessage" SET "cardAccountId" = CASE
    WHEN "targetKind" = 'cards' THEN "target"::int
    ELSE substring("payload" from '"card":\{"accountId":([0-9]{1,9}),"kind":')::int
  END
WHERE "status" = 'pending' AND (
  ("targetKind" = 'cards' AND "target" ~ '^[0-9]{1,9}$')
  OR ("targetKind" <> 'cards' AND "payload" ~ '"card":\{"accountId":[0-9]{1,9},"kind":')
);
