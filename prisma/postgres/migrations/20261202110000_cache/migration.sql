-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "autoPromptCache" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "VirtualModel" ADD COLUMN     "cache" JSONB;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN     "cache" JSONB;

-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "cache" TEXT,
ADD COLUMN     "cacheKey" TEXT,
ADD COLUMN     "costSavedUsd" DOUBLE PRECISION NOT NULL DEFAULT 0;
