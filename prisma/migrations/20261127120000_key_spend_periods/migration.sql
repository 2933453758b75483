-- CreateTable
CREATE TABLE "KeySpend" (
    "virtualKeyId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "spendUsd" REAL NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("virtualKeyId", "period"),
    CONSTRAINT "KeySpend_virtualKeyId_fkey" FOREIGN KEY ("virtualKeyId") REFERENCES "VirtualKey" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "KeySpend_period_idx" ON "KeySpend"("period");

