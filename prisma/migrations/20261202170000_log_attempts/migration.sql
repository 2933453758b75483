-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN "attemptLog" TEXT;
ALTER TABLE "RequestLog" ADD COLUMN "upstreamRequest" TEXT;
