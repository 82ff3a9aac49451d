#!/bin/sh
# Browser tests need Debian's chromium (Playwright's own browser download is not reachable here).
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "warning: /usr/bin/chromium is missing, so browser tests will be skipped." >&2
  echo "         Install it with: sudo apt-get install chromium chromium-driver" >&2
fi
