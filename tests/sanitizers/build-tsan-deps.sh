#!/bin/sh
# Builds the two dependencies whose threads touch our objects -- CAF 0.17.6
# (scheduler, mailboxes, caf::io) and cpp-httplib 0.11.4 (the HTTP worker
# pool) -- with -fsanitize=thread into PREFIX, from the same Debian 12 source
# packages the system libraries come from (checked by SHA-256).
#
# Why: ThreadSanitizer only sees the synchronisation of code it instrumented.
# Against Debian's uninstrumented libcaf_core every hand-over of an actor or
# a message between CAF's threads looks like a race, so make test-tsan would
# prove nothing. With these builds no CAF or httplib report is suppressed.
#
#   tests/sanitizers/build-tsan-deps.sh PREFIX [JOBS]
#
# Quick when PREFIX already holds this script's build (a stamp names the
# script's own checksum). Needs network access to deb.debian.org once.
set -eu
prefix=${1:?usage: build-tsan-deps.sh PREFIX [JOBS]}
jobs=${2:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
stamp="$prefix/.covsigner-tsan-deps"
want=$(sha256sum "$here/build-tsan-deps.sh" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

pool=http://deb.debian.org/debian/pool/main
caf_tar=actor-framework_0.17.6.orig.tar.gz
caf_sha=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
httplib_tar=cpp-httplib_0.11.4+ds.orig.tar.xz
httplib_sha=8b1a5df569003b6a4f24c68489bbda5c64aec94697bdc9ebba5d79408b2ae7eb
httplib_deb=cpp-httplib_0.11.4+ds-1+deb12u1.debian.tar.xz
httplib_deb_sha=a0adf8a38610806f6d94ba69839438635e5e6580775e28ff31d6a081e34f1484

work="$prefix/src"
rm -rf "$prefix" && mkdir -p "$work"
fetch() { # url sha256 -> $work/<name>
  curl -sSfL --retry 3 -o "$work/$(basename "$1")" "$1"
  echo "$2  $work/$(basename "$1")" | sha256sum -c --quiet -
}
flags="-fsanitize=thread -O1 -g1 -fno-omit-frame-pointer"

# --- CAF: core, io and openssl (actors/remote_signer's TLS), as Debian ships.
fetch "$pool/a/actor-framework/$caf_tar" "$caf_sha"
tar xzf "$work/$caf_tar" -C "$work"
caf="$work/actor-framework-0.17.6"
# GCC 12's libstdc++ no longer includes <limits> through <string>; CAF 0.17.6
# predates that (std::numeric_limits in receive_buffer.hpp).
sed -i 's|#include <cstddef>|#include <cstddef>\n#include <limits>|' \
  "$caf/libcaf_io/caf/io/network/receive_buffer.hpp"
grep -q '<limits>' "$caf/libcaf_io/caf/io/network/receive_buffer.hpp"
cmake -S "$caf" -B "$work/caf-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELEASE="-DNDEBUG" \
  -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DCAF_NO_EXAMPLES=ON -DCAF_NO_UNIT_TESTS=ON -DCAF_NO_TOOLS=ON \
  -DCAF_NO_PYTHON=ON -DCAF_NO_OPENCL=ON -DCAF_NO_SUMMARY=ON \
  -DCAF_NO_COMPILER_CHECK=ON >"$work/caf-configure.log" \
  || { cat "$work/caf-configure.log"; exit 1; }
cmake --build "$work/caf-build" -j "$jobs"
cmake --install "$work/caf-build" >/dev/null

# --- cpp-httplib: Debian's patches, split into header + library as Debian's
# meson build does, with Debian's defines (read from the system's .pc file,
# which this build's copy keeps, and CPPHTTPLIB_USE_POLL from debian/rules).
system_pc="$(pkg-config --variable=pcfiledir cpp-httplib)/cpp-httplib.pc"
defines=$(pkg-config --cflags-only-other cpp-httplib)
fetch "$pool/c/cpp-httplib/$httplib_tar" "$httplib_sha"
fetch "$pool/c/cpp-httplib/$httplib_deb" "$httplib_deb_sha"
mkdir -p "$work/httplib"
tar xJf "$work/$httplib_tar" -C "$work/httplib" --strip-components=1
tar xJf "$work/$httplib_deb" -C "$work/httplib"
(cd "$work/httplib" && while read -r p; do
  case "$p" in ''|'#'*) continue ;; esac
  patch -p1 -s <"debian/patches/$p"
done <debian/patches/series)
(cd "$work/httplib" && python3 ./split.py --out split >/dev/null)
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp "$work/httplib/split/httplib.h" "$prefix/include/httplib.h"
# shellcheck disable=SC2086
g++ -std=c++11 $flags -fPIC -shared $defines -DCPPHTTPLIB_USE_POLL \
  -I"$work/httplib/split" "$work/httplib/split/httplib.cc" \
  -Wl,-soname,libcpp-httplib.so.0.11 -o "$prefix/lib/libcpp-httplib.so.0.11" \
  -lssl -lcrypto -lz -lbrotlidec -lbrotlienc -lbrotlicommon -pthread
ln -sf libcpp-httplib.so.0.11 "$prefix/lib/libcpp-httplib.so"
sed -e "s|^prefix=.*|prefix=$prefix|" -e 's|^libdir=.*|libdir=${prefix}/lib|' \
  "$system_pc" >"$prefix/lib/pkgconfig/cpp-httplib.pc"

# Each library must really carry TSan's instrumentation.
for lib in libcaf_core libcaf_io libcaf_openssl libcpp-httplib; do
  nm -D "$prefix/lib/$lib.so" | grep -q __tsan_func_entry \
    || { echo "build-tsan-deps: $lib.so is not instrumented" >&2; exit 1; }
done
rm -rf "$work"
echo "$want" >"$stamp"
