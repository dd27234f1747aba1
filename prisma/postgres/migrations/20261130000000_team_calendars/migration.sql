-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "calendar" TEXT,
ADD COLUMN     "timezone" TEXT;
