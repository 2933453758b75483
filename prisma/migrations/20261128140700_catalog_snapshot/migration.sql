-- CreateTable
CREATE TABLE "CatalogSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceUrl" TEXT NOT NULL,
    "fetchedAt" DATETIME NOT NULL,
    "sha256" TEXT NOT NULL,
    "entryCount" INTEGER NOT NULL,
    "skippedCount" INTEGER NOT NULL DEFAULT 0,
    "data" TEXT NOT NULL
);

