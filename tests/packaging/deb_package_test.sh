#!/bin/sh
# Issue 13 acceptance: builds the operator .deb (cpack -G DEB) from the
# build tree, checks its control fields, conffiles and file list, runs the
# packaged covsignerd with the packaged /etc config (it starts, signs
# nothing, stops on SIGTERM), and runs `systemd-analyze verify` on the
# packaged unit inside a root made of the package plus the host's units.
#
#   deb_package_test.sh <build dir> <version>
set -eu
build=$(cd "$1" && pwd)
version=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/covsigner-deb.XXXXXX")
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "FAILED: $*"; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (make deps installs systemd and dpkg-dev)"
done

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail cpack; }
arch=$(dpkg --print-architecture)
deb=$work/out/covsigner_${version}_${arch}.deb
test -f "$deb" || { ls "$work/out"; fail "no $deb"; }

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
test "$(field Package)" = covsigner || fail "Package: $(field Package)"
test "$(field Version)" = "$version" || fail "Version: $(field Version)"
test "$(field Architecture)" = "$arch" || fail "Architecture: $(field Architecture)"
test -n "$(field Maintainer)" || fail "no Maintainer"
depends=$(field Depends)
for lib in libcaf-core0.17 libcaf-io0.17 libcaf-openssl0.17 libboost-json1.81.0 libsecp256k1-1 \
           libcpp-httplib0.11 libsodium23 libssl3 libcrypto++8 libprometheus-cpp-core1.0 \
           libspdlog1.10; do
  echo "$depends" | grep -q "$lib" || fail "Depends lacks $lib: $depends"
done
dpkg-deb -e "$deb" "$work/control"
grep -x -q /etc/covsigner/covsignerd.ini "$work/control/conffiles" || fail "the ini is not a conffile"
test -x "$work/control/postinst" || fail "no executable postinst"
echo "control: $(field Package) $(field Version) $(field Architecture); Depends: $depends"

# File list.
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for f in ./usr/bin/covsignerd ./usr/bin/covsignerctl ./usr/include/covsigner/embed.hpp \
         ./usr/include/covsigner/transport/embed.hpp ./usr/include/covsigner/messages/gateway.hpp \
         ./usr/lib/cmake/covsigner/covsignerConfig.cmake \
         ./usr/lib/cmake/covsigner/covsignerConfigVersion.cmake \
         ./usr/lib/cmake/covsigner/covsignerTargets.cmake ./usr/lib/libcovsigner_transport.a \
         ./usr/lib/libcovsigner_actors.a ./lib/systemd/system/covsignerd.service \
         ./usr/lib/sysusers.d/covsigner.conf ./etc/covsigner/covsignerd.ini; do
  grep -x -q -F "$f" "$work/files" || fail "the package lacks $f"
done
# Only these trees (and their parent directories) may be in the package.
allowed='^\./((usr|etc|lib|lib/systemd|usr/share)/|usr/(bin|include|lib|share/doc)(/|$)|lib/systemd/system(/|$)|etc/covsigner(/|$))?$|^\./(usr/(bin|include|lib|share/doc)|lib/systemd/system|etc/covsigner)/'
if grep -v -E "$allowed" "$work/files" \
   | grep -q .; then
  grep -v -E "$allowed" "$work/files"
  fail "unexpected files in the package"
fi
echo "files: $(wc -l <"$work/files") entries"

root=$work/root
dpkg-deb -x "$deb" "$root"
unit=$root/lib/systemd/system/covsignerd.service
for d in User=covsigner StateDirectory=covsigner NoNewPrivileges=yes ProtectSystem=strict \
         PrivateTmp=yes LimitCORE=0 Restart=on-failure KillSignal=SIGTERM \
         'ExecStart=/usr/bin/covsignerd --config-file=/etc/covsigner/covsignerd.ini --data-dir=/var/lib/covsigner'; do
  grep -x -q -F "$d" "$unit" || fail "the unit lacks $d"
done

# The packaged config signs nothing: the passive engine, no signer.
"$root/usr/bin/covsignerd" --config-file="$root/etc/covsigner/covsignerd.ini" \
  --data-dir="$work/data" --port=0 >"$work/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until grep -q "HTTP disabled" "$work/daemon.log"; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then cat "$work/daemon.log"; fail "covsignerd did not start"; fi
  sleep 0.1
done
grep -q "chain: none (passive engine, no signer approval verifier)" "$work/daemon.log" \
  || { cat "$work/daemon.log"; fail "the packaged config is not the passive engine"; }
kill -TERM "$daemon_pid"
wait "$daemon_pid" || { cat "$work/daemon.log"; fail "covsignerd did not stop cleanly on SIGTERM"; }
daemon_pid=
grep -q "store lock released" "$work/daemon.log" || fail "no orderly stop"

# systemd-analyze verify: the package's root plus the host's own units
# (sysinit.target and friends); any complaint, even an ignored directive,
# fails.
cp -R -n /usr/lib/systemd/system/. "$root/lib/systemd/system/"
if ! systemd-analyze verify --root="$root" /lib/systemd/system/covsignerd.service >"$work/verify.log" 2>&1 \
   || [ -s "$work/verify.log" ]; then
  cat "$work/verify.log"
  fail "systemd-analyze verify"
fi
echo "systemd-analyze verify: clean"
