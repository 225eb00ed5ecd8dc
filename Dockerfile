# Shipmate's image. Build: docker build -t shipmate .   Run: docker run --read-only -e SLACK_BOT_TOKEN=… shipmate
# Node runs the TypeScript sources directly (type stripping): there is no compile step, only the
# production dependencies, and the stripped JavaScript of every .ts file in the cache src/start.js
# reads (src/stripped-ts.js), so a running pod never loads Node's TypeScript parser (~17 MB).
# The base is pinned by exact tag; pin by digest in your registry if you mirror it.

FROM node:24.20.0-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

# The same Node as the final stage (an entry is named by the parser's version and the file's text),
# from the same sources: every file the image runs is a hit. Its own layer, so editing a source does
# not copy node_modules again.
FROM node:24.20.0-trixie-slim AS stripped
WORKDIR /app
COPY src ./src
COPY tools ./tools
RUN node src/stripped-ts.js src tools

FROM node:24.20.0-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=stripped /app/node_modules/.cache/shipmate ./node_modules/.cache/shipmate
COPY package.json LICENSE manifest.yml shipmate.example.yml ./
COPY src ./src
COPY tools ./tools
# The base image's `node` user, by number so Kubernetes' runAsNonRoot can verify it. Nothing is
# written to the filesystem at run time, so the root filesystem may be read-only (the stripped cache
# is complete; were an entry missing, that file would be stripped in memory, nothing written).
USER 1000:1000
EXPOSE 3000
# Exec form: node is PID 1 and gets SIGTERM itself (main.ts drains on it). The same command and V8
# flags as `npm start` — test/unit/dockerfile.test.ts keeps them equal.
CMD ["node", "--max-semi-space-size=4", "src/start.js"]
