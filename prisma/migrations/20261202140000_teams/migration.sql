-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "budgetUsd" REAL,
    "budgetPeriod" TEXT,
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "allowedModels" JSONB,
    "modelLimits" JSONB,
    "endUserLimits" JSONB,
    "spendUsd" REAL NOT NULL DEFAULT 0,
    "managedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TeamSpend" (
    "teamId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "spendUsd" REAL NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("teamId", "period"),
    CONSTRAINT "TeamSpend_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (columns added in place, so columns other migrations add to these tables are kept)
ALTER TABLE "User" ADD COLUMN "teamId" TEXT REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN "teamId" TEXT REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "VirtualKey" ADD COLUMN "modelLimits" JSONB;
ALTER TABLE "VirtualKey" ADD COLUMN "endUserLimits" JSONB;

-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN "endUser" TEXT;
ALTER TABLE "RequestLog" ADD COLUMN "tags" TEXT;
ALTER TABLE "RequestLog" ADD COLUMN "teamId" TEXT;

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
