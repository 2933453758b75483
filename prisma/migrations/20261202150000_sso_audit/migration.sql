-- AlterTable (columns added in place, so columns other migrations add to these tables are kept)
ALTER TABLE "User" ADD COLUMN "authMethod" TEXT NOT NULL DEFAULT 'password';
ALTER TABLE "User" ADD COLUMN "oidcIssuer" TEXT;
ALTER TABLE "User" ADD COLUMN "oidcSubject" TEXT;

-- AlterTable
ALTER TABLE "VirtualKey" ADD COLUMN "previousKeyExpiresAt" DATETIME;
ALTER TABLE "VirtualKey" ADD COLUMN "previousKeyHash" TEXT;
ALTER TABLE "VirtualKey" ADD COLUMN "rotatedAt" DATETIME;

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "operation" TEXT,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "entityName" TEXT,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB
);

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_id_idx" ON "AuditEvent"("createdAt", "id");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_entity_createdAt_idx" ON "AuditEvent"("entity", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualKey_previousKeyHash_key" ON "VirtualKey"("previousKeyHash");
