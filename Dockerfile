# One image for every StockPulse service; the command picks the service.
# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/protocols/package.json packages/protocols/
COPY packages/cli/package.json packages/cli/
COPY mcp-servers/auth/package.json mcp-servers/auth/
COPY mcp-servers/postgres/package.json mcp-servers/postgres/
COPY mcp-servers/redis/package.json mcp-servers/redis/
COPY mcp-servers/qdrant/package.json mcp-servers/qdrant/
COPY mcp-servers/timescale/package.json mcp-servers/timescale/
COPY mcp-servers/graphiti/package.json mcp-servers/graphiti/
COPY registry/package.json registry/
COPY agents/user-assistant/package.json agents/user-assistant/
COPY agents/portfolio-manager/package.json agents/portfolio-manager/
COPY gateway/package.json gateway/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund

FROM deps AS web
COPY web web
RUN npm run build -w @stockpulse/web

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production STOCKPULSE_HOST=0.0.0.0 STOCKPULSE_DATA_DIR=/data COPILOTKIT_TELEMETRY_DISABLED=true
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY . .
COPY --from=web /app/web/dist web/dist
RUN useradd --system --uid 10001 stockpulse && mkdir -p /data && chown stockpulse /data
USER stockpulse
VOLUME /data
# e.g. `node --import tsx gateway/src/main.ts`; compose.yaml sets one per service.
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["gateway/src/main.ts"]
