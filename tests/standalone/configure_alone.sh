#!/bin/sh
# The repository stands alone (issue 16 §1): its tracked files, copied into
# an empty directory with no sibling folders, configure with CMake, and
# every directory the build hands the tests (COVSIGNER_*_DIR) lies inside
# the copy or its build. Configure only, to stay fast.
#
#   tests/standalone/configure_alone.sh [SOURCE_DIR]    (default: this checkout)
# Exit 77 (ctest: skipped) when SOURCE_DIR is not a git checkout.
set -eu
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "not a git checkout: $src" >&2
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy="$work/repo"
mkdir "$copy"
# Tracked files as they are in the working tree; a tracked file deleted
# there is not part of what would be committed next.
git -C "$src" ls-files -z | (cd "$src" && xargs -0 sh -c '
  for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
  tar -C "$src" --null -T - -cf - | tar -C "$copy" -xf -

generator=
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# shellcheck disable=SC2086 # $generator is empty or two words
if ! cmake -S "$copy" -B "$copy/build" $generator >"$work/configure.log" 2>&1; then
  cat "$work/configure.log"
  echo "the repository alone does not configure" >&2
  exit 1
fi

# Each directory compiled into the tests must be inside the copy.
status=0
for dir in $(grep -ho 'COVSIGNER_[A-Z_]*_DIR=\\"[^"\\]*' "$copy/build/build.ninja" |
  sed 's/.*=\\"//' | sort -u); do
  case "$dir" in
    "$copy" | "$copy/build" | "$copy/build"/*) ;; # the copy itself; made by the build
    "$copy"/*) [ -d "$dir" ] || { echo "missing in the copy: $dir" >&2; status=1; } ;;
    *) echo "outside the copy: $dir" >&2; status=1 ;;
  esac
done
[ "$status" -eq 0 ] && echo "the repository configures alone ($(git -C "$src" ls-files | wc -l) files)"
exit "$status"
