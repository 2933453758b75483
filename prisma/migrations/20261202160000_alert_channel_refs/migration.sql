-- AlterTable
ALTER TABLE "AlertChannel" ADD COLUMN "secretRefs" JSONB;
