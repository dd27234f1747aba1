-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "email" TEXT;

-- CreateTable
CREATE TABLE "TeamChannel" (
    "id" SERIAL NOT NULL,
    "teamKey" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TeamChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemberIdentity" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemberIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TeamChannel_teamKey_platform_kind_key" ON "TeamChannel"("teamKey", "platform", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "MemberIdentity_platform_externalId_key" ON "MemberIdentity"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "MemberIdentity_memberId_platform_key" ON "MemberIdentity"("memberId", "platform");

-- CreateIndex
CREATE UNIQUE INDEX "Member_email_key" ON "Member"("email");

-- AddForeignKey
ALTER TABLE "TeamChannel" ADD CONSTRAINT "TeamChannel_teamKey_fkey" FOREIGN KEY ("teamKey") REFERENCES "Team"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemberIdentity" ADD CONSTRAINT "MemberIdentity_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Data: every platform id of the old columns becomes a row, before the columns go.
INSERT INTO "MemberIdentity" ("platform", "externalId", "memberId") SELECT 'slack', "slackUserId", "id" FROM "Member" WHERE "slackUserId" IS NOT NULL;
INSERT INTO "MemberIdentity" ("platform", "externalId", "memberId") SELECT 'wecom', "wecomUserId", "id" FROM "Member" WHERE "wecomUserId" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'slack', 'channel', "slackChannel" FROM "Team" WHERE "slackChannel" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'wecom', 'chat', "wecomChatId" FROM "Team" WHERE "wecomChatId" IS NOT NULL;
INSERT INTO "TeamChannel" ("teamKey", "platform", "kind", "ref") SELECT "key", 'wecom', 'robot', "wecomRobotKey" FROM "Team" WHERE "wecomRobotKey" IS NOT NULL;

-- DropIndex
DROP INDEX "Member_slackUserId_key";

-- DropIndex
DROP INDEX "Member_wecomUserId_key";

-- AlterTable
ALTER TABLE "Team" DROP COLUMN "slackChannel",
DROP COLUMN "wecomChatId",
DROP COLUMN "wecomRobotKey";

-- AlterTable
ALTER TABLE "Member" DROP COLUMN "slackUserId",
DROP COLUMN "wecomUserId";
