#!/bin/sh
# Issue 13 acceptance: installs covsigner into a fresh temporary prefix,
# copies examples/embedding outside the checkout, configures it with only
# CMAKE_PREFIX_PATH=<prefix>, builds it, runs the host program on the
# development fixture chain and checks its READY lines and the typed
# degraded reply; then starts the INSTALLED covsignerd with --caf-io.port on
# 127.0.0.1 and drives it from the example's second mode (another process,
# built from the installed headers): submit, dedupe, poll; checks that a
# non-loopback --caf-io.address refuses to start; and checks that README's
# "Embedding" code is the example's (the lines this test compiled).
#
#   embedding_example_test.sh <source dir> <build dir>
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/covsigner-embedding.XXXXXX")
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
prefix=$work/prefix
consumer=$work/consumer

step() { printf '%s [%ss]\n' "$1" "$(( $(date +%s) - start ))"; }
start=$(date +%s)

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
test -f "$prefix/include/covsigner/embed.hpp"
test -f "$prefix/lib/cmake/covsigner/covsignerConfig.cmake"
test -f "$prefix/lib/cmake/covsigner/covsignerConfigVersion.cmake"
step "installed into a fresh prefix"

cp -R "$src/examples/embedding" "$consumer"
launcher=
command -v ccache >/dev/null 2>&1 && launcher=-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
# Only the prefix: no include or link path into the source or build tree.
cmake -S "$consumer" -B "$consumer/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_PREFIX_PATH="$prefix" $launcher \
  >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$consumer/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
step "built the copied example against the prefix"
for tree in "$src" "$build"; do
  if grep -F -q "$tree/" "$consumer/build/compile_commands.json" "$consumer/build/build.ninja"; then
    echo "the consumer's build reaches into $tree:"
    grep -F "$tree/" "$consumer/build/compile_commands.json" "$consumer/build/build.ninja" | head -5
    exit 1
  fi
done

# Run data (dev chain, dev key, requests) comes from the checkout; the code
# only from the prefix. Bounded: the program gives up after 120 s itself.
set +e
timeout 180 "$consumer/build/coordinator" --examples-dir="$src/examples" \
  --data-dir="$work/data" >"$work/run.log" 2>&1
rc=$?
set -e
cat "$work/run.log"
test "$rc" -eq 0 || { echo "coordinator exited $rc"; exit 1; }
grep -E -q '^qc_v1: READY kcs_qc_[0-9a-f]{16}$' "$work/run.log"
grep -E -q '^self_v1: READY kcs_self_[0-9a-f]{16}$' "$work/run.log"
grep -F -q 'degraded: registry_unavailable (503): wallet registry data unavailable for wallet 0x' "$work/run.log"
step "ran: both READY, then the typed degraded reply"

# caf::io: the installed covsignerd, the dev chain and key, no HTTP.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$src/examples/dev-signer.key" "$work/dev-signer.key"
chmod 600 "$work/dev-signer.key"
"$prefix/bin/covsignerd" --port=0 --data-dir="$work/daemon" --enable-self-v1 \
  --bridge-covenant-fraud-defense-confirmed --chain.backend=fixture \
  --chain.fixture-file="$src/examples/chain/dev-chain.json" --signer.backend=local_key \
  --signer.key-file="$work/dev-signer.key" --caf-io.port="$port" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until grep -q "published the node's gateway on caf::io at \[127.0.0.1:$port\]" "$work/daemon.log"; do
  i=$((i + 1))
  if [ "$i" -gt 200 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
    cat "$work/daemon.log"; echo "covsignerd did not publish on caf::io"; exit 1
  fi
  sleep 0.1
done
sleep 0.3 # the chain head's first refresh (a stale head would answer chain_head_stale)
set +e
timeout 60 "$consumer/build/coordinator" --examples-dir="$src/examples" \
  --connect="127.0.0.1:$port" >"$work/remote.log" 2>&1
rc=$?
set -e
cat "$work/remote.log"
test "$rc" -eq 0 || { cat "$work/daemon.log"; echo "remote mode exited $rc"; exit 1; }
grep -E -q '^remote submit: READY kcs_qc_[0-9a-f]{16}$' "$work/remote.log"
grep -E -q '^remote dedupe: kcs_qc_[0-9a-f]{16} \(same job\)$' "$work/remote.log"
grep -E -q '^remote poll: none READY kcs_qc_[0-9a-f]{16}$' "$work/remote.log"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || { cat "$work/daemon.log"; echo "covsignerd did not stop cleanly"; exit 1; }
daemon_pid=
grep -q "store lock released" "$work/daemon.log"
step "covsignerd over caf::io from another process: submit, dedupe, poll"

set +e
"$prefix/bin/covsignerd" --port=0 --data-dir="$work/refused" --caf-io.port="$port" \
  --caf-io.address=0.0.0.0 >"$work/refused.log" 2>&1
rc=$?
set -e
test "$rc" -eq 1 || { cat "$work/refused.log"; echo "non-loopback caf::io started (rc $rc)"; exit 1; }
grep -F -q -- "--caf-io.address [0.0.0.0] is not a loopback address" "$work/refused.log"
step "non-loopback --caf-io.address refused"

# README's Embedding block is exactly the example's README:begin..end region.
sed -n '/README:begin/,/README:end/p' "$src/examples/embedding/coordinator.cpp" \
  | sed '1d;$d' | sed 's/^    //' >"$work/example.txt"
sed -n '/<!-- embedding-example:begin -->/,/<!-- embedding-example:end -->/p' "$src/README.md" \
  | sed '1,2d' | sed '$d' | sed '$d' >"$work/readme.txt"
lines=$(wc -l <"$work/readme.txt")
if ! cmp -s "$work/example.txt" "$work/readme.txt" || [ "$lines" -lt 10 ] || [ "$lines" -gt 20 ]; then
  echo "README Embedding code ($lines lines) differs from examples/embedding/coordinator.cpp:"
  diff "$work/example.txt" "$work/readme.txt" || true
  exit 1
fi
step "README's Embedding code is the example's ($lines lines)"
