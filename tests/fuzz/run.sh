#!/bin/sh
# Builds the libFuzzer targets in their own build dir (clang, ASan+UBSan)
# and runs request_fuzz for SECONDS (default 60) from the committed seed
# corpus. The committed corpus is only read; new inputs go to
# $FUZZ_BUILD/corpus. A crash or property violation leaves the input in
# $FUZZ_BUILD/artifacts/ and makes this script exit non-zero.
#
#   tests/fuzz/run.sh [SECONDS]      env: FUZZ_BUILD (build-fuzz), FUZZ_JOBS (nproc)
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}

if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCOVSIGNER_FUZZERS=ON -DCOVSIGNER_TESTS=OFF -DCOVSIGNER_BENCHES=OFF \
    >"$build/configure.log" || { cat "$build/configure.log"; exit 1; }
fi
cmake --build "$build" --target request_fuzz -j "$jobs"

mkdir -p "$build/corpus" "$build/artifacts"
exec "$build/bin/request_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
  -dict="$root/tests/fuzz/request.dict" -artifact_prefix="$build/artifacts/" \
  "$build/corpus" "$root/tests/fuzz/corpus"
