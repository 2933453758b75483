-- The newest-first list orders by (createdAt, id): one index gives that order without a sort.
-- DropIndex
DROP INDEX "RequestLog_createdAt_idx";

-- CreateIndex
CREATE INDEX "RequestLog_createdAt_id_idx" ON "RequestLog"("createdAt", "id");

-- CreateIndex
CREATE INDEX "RequestLog_providerId_createdAt_idx" ON "RequestLog"("providerId", "createdAt");

-- CreateIndex
CREATE INDEX "RequestLog_errorClass_createdAt_idx" ON "RequestLog"("errorClass", "createdAt");
