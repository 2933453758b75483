-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN "cacheWriteTokens" INTEGER NOT NULL DEFAULT 0;
