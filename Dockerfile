# Multi-stage image: build the admin UI, the server (plain JavaScript in dist/server) and the
# Prisma clients, then run the compiled server as a non-root user (no TypeScript loader at run time).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# MALLOC_ARENA_MAX=2: glibc otherwise gives each busy thread (V8's compiler and GC helpers, the
# SQLite writer) a malloc arena of its own that keeps freed memory; 13 MB less peak RSS under the
# bench's load at the same CPU (README "Performance"). It must be set before node starts.
ENV NODE_ENV=production PORT=3000 DB_PATH=/data/gateway.db MALLOC_ARENA_MAX=2
WORKDIR /app
RUN useradd --system --uid 10001 --home /app gateway && mkdir -p /data && chown gateway /data
COPY --from=build --chown=gateway /app /app
USER gateway
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
