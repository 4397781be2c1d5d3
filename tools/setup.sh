#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing entente need.
# Idempotent: does nothing (and prints nothing) when everything is already installed.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap
  g++
  libgrpc++-dev
  libgrpc-dev
  protobuf-compiler-grpc
  libprotobuf-dev
  protobuf-compiler
  libre2-dev
  libabsl-dev
  libgtest-dev
  googletest
  libbenchmark-dev
  zlib1g-dev
  iso-codes
  # engine/inflection: WordNet's exception lists and lemma indexes, at build time.
  wordnet-base
  # service/tls_test makes its certificates with openssl.
  openssl
  libcpp-httplib-dev
  python3-grpcio
  python3-protobuf
  pkg-config
  chromium
  # fuzz/run_fuzzers.sh: clang with libFuzzer and the sanitizer runtimes.
  clang
  libclang-rt-14-dev
  make
  # python/: the in-process module (pybind11, Python 3.11 headers) and the
  # Dask distributed batch runner.
  python3-dev
  pybind11-dev
  python3-dask
  python3-distributed
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
