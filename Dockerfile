# Sift API, CPU image.
#   docker build -t sift:0.1.0 .
#   docker run --rm -p 8000:8000 sift:0.1.0
# The image runs on the architecture it was built for: only that platform's ONNX Runtime
# binaries are kept (linux/x64 on the usual amd64 build hosts).

ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# ---- build: full install (dev dependencies included) and `nest build` -> dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The CPU binaries ship inside onnxruntime-node; its postinstall would download CUDA ones.
# The copied .npmrc (ignore-scripts) already keeps it from running; the variable stays as a
# second guard should a build ever run npm without that file.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only, without install scripts ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# onnxruntime-node bundles binaries for every OS and CPU (~290 MB); keep this platform's only.
RUN set -eu; \
    ort=node_modules/onnxruntime-node/bin/napi-v6; \
    keep="linux/$(node -p process.arch)"; \
    mv "$ort/$keep" .ort-keep; \
    rm -rf "${ort:?}"/*; \
    mkdir -p "$ort/linux"; \
    mv .ort-keep "$ort/$keep"; \
    test -f "$ort/$keep/onnxruntime_binding.node"

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
# glibc gives threads their own malloc arenas (up to 8 per core) and keeps there what ONNX
# Runtime's threads freed, so RSS ratchets up over model loads and unloads. Over 20 bert-bench
# load/unload cycles on 2 cores: 416 -> 528 MB uncapped, 402 -> 481 MB capped at 2; the cap
# matters more the more cores there are. No measurable throughput cost (docs/performance.md).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Everything stays root-owned and read-only to the app user, so the container also runs with
# a read-only root filesystem.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY models ./models
# uid/gid 1000 is the image's `node` user; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8000
# Slim images have no curl: probe liveness with node's fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM directly; main.ts drains for SHUTDOWN_GRACE_MS.
CMD ["node", "dist/main.js"]
