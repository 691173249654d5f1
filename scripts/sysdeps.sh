#!/usr/bin/env sh
# Debian packages the project needs outside Python: installed through apt-get when this runs as
# root and they are missing; otherwise one line says what to install and the exit code is 1.
#   scripts/sysdeps.sh fonts-noto-cjk chromium
missing=""
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[reviewqa] installing system packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null && exit 0
  echo "[reviewqa] apt-get could not install:$missing" >&2
  exit 1
fi
echo "[reviewqa] missing system packages:$missing — install them with: sudo apt-get install$missing" >&2
exit 1
