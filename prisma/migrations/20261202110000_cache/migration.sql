-- AlterTable
ALTER TABLE "Model" ADD COLUMN "autoPromptCache" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "VirtualModel" ADD COLUMN "cache" JSONB;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN "cache" JSONB;

-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN "cache" TEXT;
ALTER TABLE "RequestLog" ADD COLUMN "cacheKey" TEXT;
ALTER TABLE "RequestLog" ADD COLUMN "costSavedUsd" REAL NOT NULL DEFAULT 0;
