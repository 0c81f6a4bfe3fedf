#!/usr/bin/env bash
# Installs what the playground's browser tests drive, idempotently: Debian's chromium and
# chromium-driver (apt, as root). Nothing is downloaded at test time; Selenium is pointed at
# /usr/bin/chromium and /usr/bin/chromedriver. Where they cannot be installed (no root, no apt)
# this fails loudly; set OVSERVE_SKIP_BROWSER_TESTS=1 to skip the browser tests on such a machine.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "${OVSERVE_SKIP_BROWSER_TESTS:-0}" = 1 ]; then
  echo "setup-browser: Chromium missing; browser tests skipped (OVSERVE_SKIP_BROWSER_TESTS=1)" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-browser: /usr/bin/chromium and /usr/bin/chromedriver are needed by the browser tests." >&2
  echo "  Install them as root: apt-get install chromium chromium-driver" >&2
  echo "  or set OVSERVE_SKIP_BROWSER_TESTS=1 to skip the browser tests on this machine." >&2
  exit 1
fi
echo "setup-browser: installing chromium and chromium-driver (apt)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium chromium-driver
/usr/bin/chromium --version
/usr/bin/chromedriver --version
