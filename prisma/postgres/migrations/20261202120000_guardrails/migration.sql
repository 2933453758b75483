-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN     "guardrails" TEXT;

-- CreateTable
CREATE TABLE "Guardrail" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "mode" TEXT NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'request',
    "config" JSONB NOT NULL,
    "keyIds" JSONB,
    "virtualModelIds" JSONB,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Guardrail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Guardrail_name_key" ON "Guardrail"("name");
