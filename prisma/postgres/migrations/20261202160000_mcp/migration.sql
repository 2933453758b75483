-- CreateTable
CREATE TABLE "McpServer" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "transport" TEXT NOT NULL DEFAULT 'streamable-http',
    "authType" TEXT NOT NULL DEFAULT 'none',
    "authHeaderName" TEXT,
    "authSecretEncrypted" TEXT,
    "authSecretHint" TEXT,
    "oauthTokenUrl" TEXT,
    "oauthClientId" TEXT,
    "oauthScope" TEXT,
    "tools" JSONB,
    "timeoutMs" INTEGER NOT NULL DEFAULT 30000,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "McpServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "McpKeyAccess" (
    "keyId" TEXT NOT NULL,
    "serverId" TEXT NOT NULL,
    "tools" JSONB,

    CONSTRAINT "McpKeyAccess_pkey" PRIMARY KEY ("keyId","serverId")
);

-- CreateTable
CREATE TABLE "McpCallLog" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "keyId" TEXT,
    "keyName" TEXT,
    "serverName" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorMessage" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "arguments" TEXT,
    "result" TEXT,

    CONSTRAINT "McpCallLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "McpServer_name_key" ON "McpServer"("name");

-- CreateIndex
CREATE INDEX "McpKeyAccess_serverId_idx" ON "McpKeyAccess"("serverId");

-- CreateIndex
CREATE INDEX "McpCallLog_createdAt_idx" ON "McpCallLog"("createdAt");

-- CreateIndex
CREATE INDEX "McpCallLog_keyId_createdAt_idx" ON "McpCallLog"("keyId", "createdAt");

-- AddForeignKey
ALTER TABLE "McpKeyAccess" ADD CONSTRAINT "McpKeyAccess_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "VirtualKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "McpKeyAccess" ADD CONSTRAINT "McpKeyAccess_serverId_fkey" FOREIGN KEY ("serverId") REFERENCES "McpServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
