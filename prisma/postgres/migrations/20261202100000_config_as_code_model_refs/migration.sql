-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "secretRefs" JSONB;

