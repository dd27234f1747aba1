-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Team" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slackChannel" TEXT,
    "wecomChatId" TEXT,
    "wecomRobotKey" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "lastAssignedId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "handle" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "teamKey" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "away" BOOLEAN NOT NULL DEFAULT false,
    "slackUserId" TEXT,
    "wecomUserId" TEXT,
    "region" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" SERIAL NOT NULL,
    "company" TEXT NOT NULL,
    "domain" TEXT,
    "email" TEXT,
    "contacts" TEXT NOT NULL DEFAULT '[]',
    "source" TEXT,
    "region" TEXT,
    "industry" TEXT,
    "size" INTEGER,
    "ownerId" INTEGER,
    "stage" TEXT NOT NULL,
    "stageEnteredAt" TIMESTAMP(3) NOT NULL,
    "lastActivityAt" TIMESTAMP(3) NOT NULL,
    "amount" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'CNY',
    "score" INTEGER NOT NULL DEFAULT 0,
    "nextStepAt" TIMESTAMP(3),
    "nextStepNote" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StageEvent" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "fromStage" TEXT,
    "toStage" TEXT,
    "actorId" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,
    "reasonCode" TEXT,
    "reasonText" TEXT,
    "platform" TEXT NOT NULL,
    "amount" INTEGER,
    "data" TEXT,

    CONSTRAINT "StageEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BantAnswer" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "actorId" INTEGER NOT NULL,
    "budgetAmount" INTEGER NOT NULL,
    "budgetCurrency" TEXT NOT NULL,
    "budgetConfirmed" BOOLEAN NOT NULL,
    "decisionMaker" TEXT NOT NULL,
    "decisionRole" TEXT,
    "authorityEngaged" BOOLEAN NOT NULL,
    "need" TEXT NOT NULL,
    "useCase" TEXT,
    "targetDate" TEXT NOT NULL,
    "passed" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BantAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChecklistConfirmation" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "stage" TEXT NOT NULL,
    "marker" TEXT NOT NULL,
    "actorId" INTEGER NOT NULL,
    "overrideReason" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChecklistConfirmation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" SERIAL NOT NULL,
    "accountId" INTEGER NOT NULL,
    "assigneeId" INTEGER,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "doneById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" SERIAL NOT NULL,
    "targetKind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestRun" (
    "id" SERIAL NOT NULL,
    "teamKey" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "DigestRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProcessedDelivery" (
    "key" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProcessedDelivery_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Member_handle_key" ON "Member"("handle");

-- CreateIndex
CREATE UNIQUE INDEX "Member_slackUserId_key" ON "Member"("slackUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Member_wecomUserId_key" ON "Member"("wecomUserId");

-- CreateIndex
CREATE INDEX "Account_stage_stageEnteredAt_idx" ON "Account"("stage", "stageEnteredAt");

-- CreateIndex
CREATE INDEX "Account_ownerId_stage_idx" ON "Account"("ownerId", "stage");

-- CreateIndex
CREATE INDEX "Account_company_idx" ON "Account"("company");

-- CreateIndex
CREATE INDEX "Account_domain_idx" ON "Account"("domain");

-- CreateIndex
CREATE INDEX "StageEvent_accountId_at_idx" ON "StageEvent"("accountId", "at");

-- CreateIndex
CREATE INDEX "StageEvent_toStage_at_idx" ON "StageEvent"("toStage", "at");

-- CreateIndex
CREATE INDEX "BantAnswer_accountId_idx" ON "BantAnswer"("accountId");

-- CreateIndex
CREATE INDEX "ChecklistConfirmation_accountId_stage_idx" ON "ChecklistConfirmation"("accountId", "stage");

-- CreateIndex
CREATE INDEX "Task_assigneeId_doneAt_idx" ON "Task"("assigneeId", "doneAt");

-- CreateIndex
CREATE UNIQUE INDEX "Task_accountId_kind_key" ON "Task"("accountId", "kind");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "DigestRun_teamKey_day_key" ON "DigestRun"("teamKey", "day");

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_teamKey_fkey" FOREIGN KEY ("teamKey") REFERENCES "Team"("key") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

