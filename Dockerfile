# syntax=docker/dockerfile:1
# Spotlight: built with dev dependencies, run on Node alone (no npm, npx, corepack or yarn in
# the final image). test/deploy/dockerfile.test.ts runs these same steps without Docker.
#
# The base image is pinned to a full version (Node 22 LTS, Debian 12 slim). To pin its digest
# too: docker buildx imagetools inspect node:22.22.2-bookworm-slim, then build with
#   --build-arg NODE_IMAGE=node:22.22.2-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:22.22.2-bookworm-slim
ARG VERSION=0.1.0

# Compiles TypeScript to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only; optional ones are test tools (the helm binary).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
ARG VERSION
LABEL org.opencontainers.image.title="spotlight" \
      org.opencontainers.image.description="Spotlight: a question-answering chat bot for the cloud-native world (Slack, Discord, terminal)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# The app runs on node alone: package managers are attack surface it never uses.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY data ./data
COPY prompts ./prompts
COPY public ./public
# The image's node user (uid 1000); nothing in /app is writable by it.
USER node
EXPOSE 3000
# bin/healthcheck.js probes /healthz on the address HOST binds (loopback when HOST is a wildcard).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "bin/healthcheck.js"]
ENTRYPOINT ["node", "bin/spotlight.js"]
CMD ["start"]
