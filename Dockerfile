# Shipmate's image. Build: docker build -t shipmate .   Run: docker run --read-only -e SLACK_BOT_TOKEN=… shipmate
# Node runs the TypeScript sources directly (type stripping): there is no build step, only the
# production dependencies. The base is pinned by exact tag; pin by digest in your registry if you mirror it.

FROM node:24.20.0-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM node:24.20.0-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json LICENSE manifest.yml shipmate.example.yml ./
COPY src ./src
COPY tools ./tools
# The base image's `node` user, by number so Kubernetes' runAsNonRoot can verify it. Nothing is
# written to the filesystem at run time, so the root filesystem may be read-only.
USER 1000:1000
EXPOSE 3000
# Exec form: node is PID 1 and gets SIGTERM itself (main.ts drains on it). The same command and V8
# flags as `npm start` — test/unit/dockerfile.test.ts keeps them equal.
CMD ["node", "--max-semi-space-size=4", "src/start.js"]
