-- AlterTable
ALTER TABLE "Team" ADD COLUMN "calendar" TEXT;
ALTER TABLE "Team" ADD COLUMN "timezone" TEXT;
