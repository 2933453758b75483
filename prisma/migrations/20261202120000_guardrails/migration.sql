-- AlterTable
ALTER TABLE "RequestLog" ADD COLUMN "guardrails" TEXT;

-- CreateTable
CREATE TABLE "Guardrail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "mode" TEXT NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'request',
    "config" JSONB NOT NULL,
    "keyIds" JSONB,
    "virtualModelIds" JSONB,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Guardrail_name_key" ON "Guardrail"("name");
