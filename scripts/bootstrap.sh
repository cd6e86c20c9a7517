#!/usr/bin/env bash
# Installs everything a fresh machine lacks, then the locked dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # analysers and benchmark runners (@srcode/eval)
  gcc libc6-dev python3-bandit flawfinder cppcheck
  python3-pytest python3-pycryptodome python3-jwt python3-yaml python3-lxml python3-argon2
  libssl-dev libjwt-dev libxml2-dev libsqlite3-dev libarchive-dev
  # headless browser for render checks (@srcode/token-reward)
  chromium
  # Dawn's OpenGL ES path on Mesa llvmpipe (@srcode/rl-core WebGPU backend without a GPU)
  libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri
  # network namespaces for the sandbox
  iproute2 util-linux
  # the Python client's trainer adapters are tested on real tensors (python/)
  python3-torch
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing apt packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only >&2
