-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'admin',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastLoginAt" DATETIME
);

-- CreateTable
CREATE TABLE "Provider" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "baseUrl" TEXT NOT NULL,
    "apiKeyEncrypted" TEXT,
    "apiKeyHint" TEXT,
    "headers" JSONB,
    "options" JSONB,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Model" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "providerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "upstreamModel" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'chat',
    "contextWindow" INTEGER,
    "maxOutputTokens" INTEGER,
    "inputPrice" REAL,
    "outputPrice" REAL,
    "cacheReadPrice" REAL,
    "cacheWritePrice" REAL,
    "supportsTools" BOOLEAN,
    "supportsVision" BOOLEAN,
    "supportsReasoning" BOOLEAN,
    "overrides" JSONB,
    "requestDefaults" JSONB,
    "catalogKey" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Model_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "Provider" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VirtualModel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "strategy" TEXT NOT NULL DEFAULT 'FAILOVER',
    "options" JSONB,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "VirtualModelTarget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "virtualModelId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "priority" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "VirtualModelTarget_virtualModelId_fkey" FOREIGN KEY ("virtualModelId") REFERENCES "VirtualModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "VirtualModelTarget_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PromptRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "virtualModelId" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "kind" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PromptRule_virtualModelId_fkey" FOREIGN KEY ("virtualModelId") REFERENCES "VirtualModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "VirtualKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "allowedModels" JSONB,
    "rpmLimit" INTEGER,
    "tpmLimit" INTEGER,
    "maxConcurrency" INTEGER,
    "budgetUsd" REAL,
    "budgetPeriod" TEXT,
    "spendUsd" REAL NOT NULL DEFAULT 0,
    "expiresAt" DATETIME,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "revokedAt" DATETIME,
    "logBodies" BOOLEAN NOT NULL DEFAULT false,
    "purpose" TEXT NOT NULL DEFAULT 'app',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME
);

-- CreateTable
CREATE TABLE "RequestLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "virtualKeyId" TEXT,
    "keyName" TEXT,
    "keyPrefix" TEXT,
    "clientApi" TEXT NOT NULL,
    "requestedModel" TEXT,
    "modelId" TEXT,
    "targetModel" TEXT,
    "providerId" TEXT,
    "providerName" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "status" INTEGER NOT NULL,
    "errorClass" TEXT,
    "errorMessage" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "ttftMs" INTEGER,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cachedTokens" INTEGER NOT NULL DEFAULT 0,
    "reasoningTokens" INTEGER NOT NULL DEFAULT 0,
    "injectedTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL NOT NULL DEFAULT 0,
    "clientIp" TEXT,
    "userAgent" TEXT,
    "rulesApplied" JSONB,
    "requestBody" TEXT,
    "responseBody" TEXT
);

-- CreateTable
CREATE TABLE "HealthTarget" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'model',
    "modelName" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "intervalSeconds" INTEGER NOT NULL DEFAULT 300,
    "checkPrompt" TEXT NOT NULL DEFAULT 'Say ''OK''',
    "checkConfig" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "HealthRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "targetId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "latencyMs" INTEGER,
    "ttftMs" INTEGER,
    "errorType" TEXT,
    "errorMessage" TEXT,
    CONSTRAINT "HealthRun_targetId_fkey" FOREIGN KEY ("targetId") REFERENCES "HealthTarget" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Provider_name_key" ON "Provider"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Model_name_key" ON "Model"("name");

-- CreateIndex
CREATE INDEX "Model_providerId_idx" ON "Model"("providerId");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualModel_name_key" ON "VirtualModel"("name");

-- CreateIndex
CREATE INDEX "VirtualModelTarget_virtualModelId_idx" ON "VirtualModelTarget"("virtualModelId");

-- CreateIndex
CREATE INDEX "VirtualModelTarget_modelId_idx" ON "VirtualModelTarget"("modelId");

-- CreateIndex
CREATE INDEX "PromptRule_virtualModelId_position_idx" ON "PromptRule"("virtualModelId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualKey_keyHash_key" ON "VirtualKey"("keyHash");

-- CreateIndex
CREATE INDEX "RequestLog_createdAt_idx" ON "RequestLog"("createdAt");

-- CreateIndex
CREATE INDEX "RequestLog_virtualKeyId_createdAt_idx" ON "RequestLog"("virtualKeyId", "createdAt");

-- CreateIndex
CREATE INDEX "RequestLog_requestedModel_createdAt_idx" ON "RequestLog"("requestedModel", "createdAt");

-- CreateIndex
CREATE INDEX "RequestLog_status_createdAt_idx" ON "RequestLog"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "HealthTarget_kind_modelName_key" ON "HealthTarget"("kind", "modelName");

-- CreateIndex
CREATE INDEX "HealthRun_targetId_startedAt_idx" ON "HealthRun"("targetId", "startedAt");

-- CreateIndex
CREATE INDEX "HealthRun_startedAt_idx" ON "HealthRun"("startedAt");

