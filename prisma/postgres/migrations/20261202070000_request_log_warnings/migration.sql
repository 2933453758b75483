-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "warnings" TEXT;

