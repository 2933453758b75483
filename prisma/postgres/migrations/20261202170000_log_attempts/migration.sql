-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "attemptLog" TEXT,
ADD COLUMN     "upstreamRequest" TEXT;
