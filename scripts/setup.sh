#!/usr/bin/env bash
# Everything a fresh Debian machine needs for xfed's tests and benchmarks (run as root):
# a real DNS server (unbound), real XMPP servers (Prosody, ejabberd), dig and openssl for
# comparisons, Prometheus (promtool; xfed serve tests), Chromium for the HTML report tests
# (driven by playwright-core, which downloads no browser), then the npm packages and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(unbound prosody lua-unbound ejabberd dnsutils openssl prometheus chromium ldnsutils)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts these daemons on install where it can; the tests run their own on loopback.
for s in unbound prosody ejabberd; do (service "$s" stop >/dev/null 2>&1 || true); done

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
