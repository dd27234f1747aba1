# funnelbot's container image: `docker build -t funnelbot .` (or podman). The base image is an argument so that
# the image can be built from a locally made Node.js 20 image where no registry is reachable.
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: every dependency, the generated Prisma clients, TypeScript compiled to dist/, then the
# dependencies pruned to production ones.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary where it can and compiles itself where it cannot.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# `npm ci` runs `prisma generate` (postinstall), which reads the schemas and their configs, and picks the
# generated clients' import extensions (.js) from tsconfig.json.
COPY package.json package-lock.json tsconfig.json ./
COPY prisma ./prisma
COPY src/config/database-url.ts ./src/config/database-url.ts
RUN npm ci --no-audit --no-fund
COPY . .
# prune keeps typescript, an optional peer of prisma's; nothing at run time compiles TypeScript.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf node_modules/typescript

# Runtime stage: Node.js, production dependencies, the build output and the migrations; no compiler,
# no dev dependencies, no sources or tests.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
RUN groupadd --system --gid 10001 funnelbot \
 && useradd --system --uid 10001 --gid funnelbot --home-dir /app --no-create-home --shell /usr/sbin/nologin funnelbot \
 && mkdir -p /app/data && chown funnelbot:funnelbot /app/data
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# Migrations run at start through the Prisma CLI: it needs the schemas, the migration histories and the
# two configs, which read one module of the sources (the DATABASE_URL rules).
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/src/config/database-url.ts ./src/config/database-url.ts
RUN ln -s /app/bin/funnelbot.js /usr/local/bin/funnelbot
USER funnelbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM reaches the bot's clean shutdown. The heap ceiling is the one
# `npm run start:prod` sets (README, Benchmarks and reliability: it keeps V8 from growing the heap to 4× what
# is live under load); a workload that needs more heap raises it here.
CMD ["node", "--max-old-space-size=1024", "dist/main.js"]
