-- AlterTable
ALTER TABLE "Model" ADD COLUMN "unitPrices" JSONB;
