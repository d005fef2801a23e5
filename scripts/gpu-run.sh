#!/usr/bin/env bash
# Run ON THE LENT GPU HOST, from the repo root (docs/gpu.md, "Measuring on a lent GPU").
#   bash scripts/gpu-run.sh receive            keep the pieces this call carried (.tmp/gpu-stage/N)
#   bash scripts/gpu-run.sh measure [args...]  receive, assemble, check, build models, measure;
#                                              args go to scripts/gpu-measure.mjs
# Pieces are kept in .tmp/gpu-device/, which no call carries, so they survive between calls for
# as long as the machine stays warm. Results go to $OUT (or .tmp/gpu-results).
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICE=.tmp/gpu-device
PARTS="$DEVICE/parts"
ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
RESULTS="${OUT:-.tmp/gpu-results}"
GPU_MODELS="${GPU_MODELS:-bert-bench,bert-bench-distilbert}"
mkdir -p "$PARTS" "$RESULTS"

say() { echo "[gpu-run $(date +%H:%M:%S)] $*"; }

receive() {
  for dir in .tmp/gpu-stage/*/; do
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] || continue
    local n
    n="$(basename "$dir")"
    mkdir -p "$PARTS/$n"
    mv "$dir"* "$PARTS/$n/"
    rmdir "$dir"
    say "received piece $n: $(ls "$PARTS/$n" | tr '\n' ' ')"
  done
  local list
  list="$(find "$PARTS" -name SHA256SUMS | head -n 1)"
  if [ -z "$list" ]; then
    say "no pieces yet"
    return 1
  fi
  cp "$list" "$PARTS/SHA256SUMS"
  local missing=0
  while read -r _ file; do
    [ -f "$PARTS/$file" ] || { say "still missing: $file"; missing=1; }
  done <"$PARTS/SHA256SUMS"
  return "$missing"
}

# xz, or Python's lzma where the host has no xz.
unxz_stream() {
  if command -v xz >/dev/null; then
    xz -dc
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer)'
  fi
}

assemble() {
  (cd "$PARTS" && sha256sum --quiet -c SHA256SUMS)
  if [ ! -x "$DEVICE/node" ]; then
    say "unpacking node, dist/ and node_modules/"
    unxz_stream <"$PARTS/1/app.tar.xz" | tar -x
  fi
  if [ ! -f "$ORT_BIN/libonnxruntime_providers_cuda.so" ]; then
    say "unpacking the CUDA provider"
    cat $(ls "$PARTS"/*/provider.tar.xz.part* | sort -V) | unxz_stream | tar -x -C "$ORT_BIN"
  fi
  export PATH="$PWD/$DEVICE:$PATH"
  say "node $(node --version)"
  node scripts/gpu-install.mjs --check
}

# Adds to LD_LIBRARY_PATH the folders holding CUDA libraries the provider cannot find (CUDA
# from pip wheels or a toolkit outside the loader's path), and records what stays missing.
find_cuda_libraries() {
  local provider="$ORT_BIN/libonnxruntime_providers_cuda.so"
  local lib dir
  for lib in $(ldd "$provider" | awk '/not found/ {print $1}'); do
    dir="$(timeout 15 find /usr /opt /root /home -name "$lib" -printf '%h\n' 2>/dev/null | head -n 1 || true)"
    if [ -n "$dir" ]; then
      say "found $lib in $dir"
      export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
  done
  for lib in libcudnn.so.9; do
    if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "$lib" && [ -z "$(timeout 15 find /usr /opt /root /home -name "$lib" 2>/dev/null | head -n 1)" ]; then
      say "warning: $lib not found (the CUDA provider needs cuDNN 9)"
    fi
  done
  ldd "$provider" | tee "$RESULTS/ldd-provider.txt" | grep 'not found' && say "warning: libraries still missing (above)" || true
}

build_models() {
  for model in ${GPU_MODELS//,/ }; do
    [ -f "models/$model/onnx/model.onnx" ] && continue
    case "$model" in
      bert-bench) node "$DEVICE/build-bert-bench.mjs" ;;
      bert-bench-distilbert) node "$DEVICE/build-bert-bench.mjs" --preset distilbert ;;
      *) say "no builder for $model: it must be in models/" ;;
    esac
  done
}

case "${1:-}" in
  receive)
    receive || true
    ;;
  measure)
    shift
    receive || { say "pieces are missing: carry the remaining .tmp/gpu-stage/N folders first"; exit 2; }
    assemble
    nvidia-smi | tee "$RESULTS/nvidia-smi.txt" || say "warning: nvidia-smi did not answer"
    find_cuda_libraries
    build_models
    node scripts/gpu-measure.mjs --models "$GPU_MODELS" --out "$RESULTS" "$@"
    ;;
  *)
    echo "usage: bash scripts/gpu-run.sh receive | measure [gpu-measure args]" >&2
    exit 64
    ;;
esac
