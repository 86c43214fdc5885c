-- CreateEnum
CREATE TYPE "HostState" AS ENUM ('up', 'down');

-- DropIndex
DROP INDEX "Environment_state_idx";

-- AlterTable
ALTER TABLE "Environment" ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "hostLost" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastInputAt" TIMESTAMP(3),
ADD COLUMN     "poolId" TEXT,
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "warnedAt" TIMESTAMP(3),
ADD COLUMN     "warning" TEXT;

-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL,
    "cpuCapacity" DOUBLE PRECISION NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "runtimes" TEXT[],
    "guacdHost" TEXT NOT NULL,
    "guacdPort" INTEGER NOT NULL,
    "state" "HostState" NOT NULL DEFAULT 'up',
    "lastHeartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Quota" (
    "id" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "maxEnvironments" INTEGER NOT NULL,
    "maxCpu" DOUBLE PRECISION NOT NULL,
    "maxMemoryMiB" INTEGER NOT NULL,
    "maxDiskGiB" INTEGER NOT NULL,
    "maxHoursPerDay" DOUBLE PRECISION NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Quota_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WarmPool" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "specKey" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WarmPool_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Quota_scope_subjectId_key" ON "Quota"("scope", "subjectId");

-- CreateIndex
CREATE UNIQUE INDEX "WarmPool_name_key" ON "WarmPool"("name");

-- CreateIndex
CREATE UNIQUE INDEX "WarmPool_specKey_key" ON "WarmPool"("specKey");

-- CreateIndex
CREATE INDEX "Environment_state_priority_createdAt_idx" ON "Environment"("state", "priority", "createdAt");

-- CreateIndex
CREATE INDEX "Environment_host_state_idx" ON "Environment"("host", "state");

-- CreateIndex
CREATE INDEX "Environment_poolId_state_idx" ON "Environment"("poolId", "state");

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "WarmPool"("id") ON DELETE SET NULL ON UPDATE CASCADE;
