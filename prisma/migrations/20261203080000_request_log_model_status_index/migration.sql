-- CreateIndex
CREATE INDEX "RequestLog_requestedModel_status_createdAt_idx" ON "RequestLog"("requestedModel", "status", "createdAt");
