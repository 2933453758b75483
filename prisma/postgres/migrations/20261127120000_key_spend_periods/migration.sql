-- CreateTable
CREATE TABLE "KeySpend" (
    "virtualKeyId" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "spendUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KeySpend_pkey" PRIMARY KEY ("virtualKeyId","period")
);

-- CreateIndex
CREATE INDEX "KeySpend_period_idx" ON "KeySpend"("period");

-- AddForeignKey
ALTER TABLE "KeySpend" ADD CONSTRAINT "KeySpend_virtualKeyId_fkey" FOREIGN KEY ("virtualKeyId") REFERENCES "VirtualKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

