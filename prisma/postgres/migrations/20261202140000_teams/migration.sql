-- AlterTable
ALTER TABLE "User" ADD COLUMN     "teamId" TEXT;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN     "endUserLimits" JSONB,
ADD COLUMN     "modelLimits" JSONB,
ADD COLUMN     "teamId" TEXT;

-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "endUser" TEXT,
ADD COLUMN     "tags" TEXT,
ADD COLUMN     "teamId" TEXT;

-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "budgetUsd" DOUBLE PRECISION,
    "budgetPeriod" TEXT,
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "allowedModels" JSONB,
    "modelLimits" JSONB,
    "endUserLimits" JSONB,
    "spendUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "managedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TeamSpend" (
    "teamId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "spendUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TeamSpend_pkey" PRIMARY KEY ("teamId","period")
);

-- CreateIndex
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");

-- CreateIndex
CREATE INDEX "TeamSpend_period_idx" ON "TeamSpend"("period");

-- CreateIndex
CREATE INDEX "VirtualKey_teamId_idx" ON "VirtualKey"("teamId");

-- CreateIndex
CREATE INDEX "RequestLog_teamId_createdAt_idx" ON "RequestLog"("teamId", "createdAt");

-- CreateIndex
CREATE INDEX "RequestLog_endUser_createdAt_idx" ON "RequestLog"("endUser", "createdAt");

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VirtualKey" ADD CONSTRAINT "VirtualKey_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamSpend" ADD CONSTRAINT "TeamSpend_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

