-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "readiness" JSONB,
ADD COLUMN     "readinessAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "HostSample" (
    "id" BIGSERIAL NOT NULL,
    "hostId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "cpu" DOUBLE PRECISION NOT NULL,
    "memoryMiB" INTEGER NOT NULL,
    "environments" INTEGER NOT NULL,
    "ready" BOOLEAN NOT NULL,

    CONSTRAINT "HostSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HostSample_hostId_at_idx" ON "HostSample"("hostId", "at");
