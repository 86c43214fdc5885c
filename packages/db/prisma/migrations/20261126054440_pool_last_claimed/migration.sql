-- AlterTable
ALTER TABLE "WarmPool" ADD COLUMN     "lastClaimedAt" TIMESTAMP(3);
