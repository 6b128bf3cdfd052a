#!/usr/bin/env bash
# report-screenshot.sh OUT [WIDTH] [HEIGHT]: renders OUT/report.html (written by `tributary run`) with headless
# Chromium into OUT/report-screenshot.png, so a person can look at the report as a reader would (figures,
# tables, provenance block) without a browser. Installs Debian's `chromium` with apt only when it is missing and
# we are root (or have sudo); if that fails, it says so and exits 2 without a screenshot.
# The page is taller than a screen: HEIGHT (default 6000 px) is the captured height, WIDTH (default 1280 px).
set -euo pipefail
out=${1:?usage: launch/report-screenshot.sh OUT [WIDTH] [HEIGHT]  (OUT: the output folder of a run, with report.html)}
width=${2:-1280}
height=${3:-6000}
html="$out/report.html"
[ -f "$html" ] || { echo "report-screenshot: $html not found; run \`tributary run CONFIG\` first (OUT = the config's out)" >&2; exit 1; }

browser=""
for name in chromium chromium-browser google-chrome; do
    if command -v "$name" > /dev/null 2>&1; then browser=$(command -v "$name"); break; fi
done
if [ -z "$browser" ]; then
    echo "report-screenshot: no chromium on PATH; installing Debian's chromium with apt" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    if ! { $sudo apt-get install -y --no-install-recommends chromium > /dev/null 2>&1 \
           || { $sudo apt-get update > /dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends chromium > /dev/null 2>&1; }; }; then
        echo "report-screenshot: could not install chromium (no network or no root); skipped: open $html in a browser instead" >&2
        exit 2
    fi
    browser=$(command -v chromium)
fi

png="$(cd "$out" && pwd)/report-screenshot.png"
# --no-sandbox: containers usually run as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
    --window-size="$width,$height" --screenshot="$png" "file://$(cd "$out" && pwd)/report.html" > /dev/null 2>&1 || true
[ -s "$png" ] || { echo "report-screenshot: $browser wrote no screenshot; run it without > /dev/null to see why" >&2; exit 1; }
echo "wrote $png (${width} x ${height} px of $html)"
