-- CreateTable
CREATE TABLE "ControlLease" (
    "environmentId" TEXT NOT NULL,
    "holderKind" TEXT,
    "tokenId" TEXT,
    "userId" TEXT,
    "suspendedTokenId" TEXT,
    "programsAllowed" BOOLEAN NOT NULL DEFAULT true,
    "expiresAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ControlLease_pkey" PRIMARY KEY ("environmentId")
);

-- CreateTable
CREATE TABLE "ControlAction" (
    "id" BIGSERIAL NOT NULL,
    "environmentId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorKind" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "tokenId" TEXT,
    "action" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "screenshotRef" TEXT,

    CONSTRAINT "ControlAction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ControlAction_environmentId_at_idx" ON "ControlAction"("environmentId", "at");
