-- The SQLite writer's rollup switch is gone (its migration of the same name says why); this
-- dialect's insert trigger runs once per statement and never read it.
DROP TABLE "RequestLogRollupWriter";

-- Columns most rows leave empty are indexed only where they hold a value: the filters compare
-- them with a value, which a partial index WHERE ... IS NOT NULL serves.
DROP INDEX "RequestLog_teamId_createdAt_idx";
CREATE INDEX "RequestLog_teamId_createdAt_idx" ON "RequestLog"("teamId", "createdAt") WHERE "teamId" IS NOT NULL;
DROP INDEX "RequestLog_endUser_createdAt_idx";
CREATE INDEX "RequestLog_endUser_createdAt_idx" ON "RequestLog"("endUser", "createdAt") WHERE "endUser" IS NOT NULL;
DROP INDEX "RequestLog_errorClass_createdAt_idx";
CREATE INDEX "RequestLog_errorClass_createdAt_idx" ON "RequestLog"("errorClass", "createdAt") WHERE "errorClass" IS NOT NULL;
