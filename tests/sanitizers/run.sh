#!/bin/sh
# Builds the project with a sanitizer (GCC, its own build dir) and runs
# tests under it. Every finding stops the run (halt_on_error); the
# suppression files beside this script hold only third-party causes, one
# commented entry each.
#
#   tests/sanitizers/run.sh asan   the whole unit + integration suite under
#                                  AddressSanitizer + UBSan (+ LeakSanitizer)
#   tests/sanitizers/run.sh tsan   ThreadSanitizer over the actor, transport
#                                  and persistence tests and the bench smoke
#                                  tests (the code with shared state)
#
#   env: SAN_BUILD (build-asan | build-tsan), SAN_JOBS (nproc)
set -eu
kind=${1:?usage: run.sh asan|tsan}
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/sanitizers"
jobs=${SAN_JOBS:-$(nproc)}
case "$kind" in
  asan) flag=-DCOVSIGNER_SANITIZERS=ON ;;
  tsan) flag=-DCOVSIGNER_TSAN=ON ;;
  *) echo "unknown sanitizer build: $kind" >&2; exit 2 ;;
esac
build=${SAN_BUILD:-$root/build-$kind}

# TSan links CAF and cpp-httplib built with -fsanitize=thread from Debian's
# sources (build-tsan-deps.sh says why), found before the system's copies.
prefix_path=
if [ "$kind" = tsan ]; then
  "$here/build-tsan-deps.sh" "$build/deps" "$jobs"
  prefix_path="-DCMAKE_PREFIX_PATH=$build/deps"
fi
if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCOVSIGNER_BENCHES=OFF "$flag" $prefix_path >"$build/configure.log" \
    || { cat "$build/configure.log"; exit 1; }
fi
if [ "$kind" = tsan ]; then
  for var in CAF_CORE_LIBRARY CAF_IO_LIBRARY CAF_OPENSSL_LIBRARY pkgcfg_lib_HTTPLIB_cpp-httplib; do
    grep -q "^$var:FILEPATH=$build/deps/" "$build/CMakeCache.txt" \
      || { echo "tsan: $var is not the instrumented build under $build/deps" >&2; exit 1; }
  done
fi

# Child processes the tests start (covsignerd, covsignerctl, the bench)
# inherit these, so their findings fail the test that started them.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0:suppressions=$here/tsan.supp"

if [ "$kind" = asan ]; then
  cmake --build "$build" -j "$jobs"
  cd "$build"
  exec ctest --output-on-failure -j "$jobs" --timeout 1200
fi

# The threaded part: actors, transport, persistence, and the bench smoke
# tests (covsignerd and covsigner-bench under load, in their own binary).
binaries="unit_actors_tests unit_transport_tests unit_persistence_tests tsan_bench_smoke_tests"
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $binaries
status=0
for t in $binaries; do
  echo "tsan: $t"
  "$build/bin/$t" --gtest_brief=1 || { echo "tsan: $t FAILED" >&2; status=1; }
done
if [ "$status" -eq 0 ]; then echo "tsan: all passed"; fi
exit "$status"
