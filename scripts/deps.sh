#!/usr/bin/env bash
# Install what wenming needs on Debian 12: apt packages, then npm packages.
# Idempotent: does nothing when everything is present. Usage: scripts/deps.sh [--bench]
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config
      libmicrohttpd-dev libsqlite3-dev libpq-dev libjansson-dev libxml2-dev
      libsodium-dev libxlsxwriter-dev libcriterion-dev zlib1g-dev libyaml-dev
      libssl-dev   # libcrypto: HMAC-SHA1 for TOTP (libsodium has no HMAC-SHA1)
      postgresql   # the server binaries: make test runs everything on PostgreSQL too
      sqlite3      # the CLI: tests/http/audit.test.mjs changes rows behind wenming's back
      nginx openssl   # make test runs deploy/nginx-wenming.conf with a self-signed certificate
      chromium-headless-shell fonts-noto-cjk)  # browser tests (playwright-core drives it); CJK glyphs
# A machine may carry Node.js from elsewhere (its npm built in): only ask apt when the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ "${1:-}" = "--bench" ]; then pkgs+=(wrk procps); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (test tools and the console's vendor files); reinstall when the lock changes.
if [ -f package-lock.json ]; then
  stamp=node_modules/.wenming-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi

# The console's vendor files, from the npm packages (served at /static/vendor/; not in git).
vendor=web/static/vendor
# ECharts' "common" build (line, bar, pie, scatter with grid, legend, tooltip, title, aria):
# 240 KB compressed against 369 KB for the full one, and the dashboard needs no more.
if [ -d node_modules/echarts ] && { [ ! -f "$vendor/.stamp" ] || [ ! -f "$vendor/echarts.common.min.js" ] ||
  ! cmp -s package-lock.json "$vendor/.stamp"; }; then
  mkdir -p "$vendor/images"
  rm -f "$vendor/echarts.min.js"
  cp node_modules/echarts/dist/echarts.common.min.js "$vendor/"
  cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/"
  cp node_modules/leaflet/dist/images/*.png "$vendor/images/"
  cp package-lock.json "$vendor/.stamp"
fi
