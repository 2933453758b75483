-- CreateTable
-- Read by SQLite's per-row trigger only; PostgreSQL's statement trigger sums each INSERT once already.
CREATE TABLE "RequestLogRollupWriter" (
    "id" INTEGER NOT NULL,
    "batch" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RequestLogRollupWriter_pkey" PRIMARY KEY ("id")
);

