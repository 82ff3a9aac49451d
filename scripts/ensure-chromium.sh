#!/bin/sh
# Browser tests need Debian's chromium (Playwright's own browser download is not reachable here),
# and the Nu HTML checker they run needs Java plus the vnu-jar package pinned in
# package-lock.json (npm, run offline with java -jar; its Java-downloading install script is
# skipped). Install what is missing when we may (root with apt), else say how.
cd "$(dirname "$0")/.."
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium chromium-driver"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages for the browser tests:$missing"
    # shellcheck disable=SC2086
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "warning: missing$missing, so browser tests (or their HTML check) will be skipped." >&2
    echo "         Install with: sudo apt-get install$missing" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && { [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] ||
     [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "Installing the Nu HTML checker and Lighthouse from package-lock.json..."
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi
exit 0
