-- AlterTable
ALTER TABLE "Provider" ADD COLUMN "managedBy" TEXT;
ALTER TABLE "Provider" ADD COLUMN "secretRefs" JSONB;

-- AlterTable
ALTER TABLE "Model" ADD COLUMN "managedBy" TEXT;

-- AlterTable
ALTER TABLE "VirtualModel" ADD COLUMN "managedBy" TEXT;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN "managedBy" TEXT;

-- AlterTable
ALTER TABLE "HealthTarget" ADD COLUMN "managedBy" TEXT;

