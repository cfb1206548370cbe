#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages (fonts, poppler,
# Java for EPUBCheck, Chromium for screenshots, the benchmark anchor and Ace,
# Node.js for Ace), a venv in .venv with the pinned dependencies of
# requirements.lock, and DAISY Ace in tools/ace/node_modules from its
# package-lock.json (`bookbuild build --check` runs it with Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-cns11643-* (TW-Sung/TW-Kai, the 全字庫 fonts) and fonts-hanazono (HanaMinA/B) are the
# default fallback chain for characters Noto lacks; icc-profiles-free gives the PDF/X output
# intents; ghostscript renders print files in the tests (a second, independent PDF reader).
APT_PACKAGES=(fonts-noto-cjk fonts-cns11643-sung fonts-cns11643-kai fonts-hanazono fontconfig poppler-utils
              ghostscript icc-profiles-free default-jre-headless chromium)
# Node.js and npm only when the machine has none (a nodesource or nvm install is fine too).
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.bookbuild-lock"
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python dependencies into .venv" >&2
  # (grep drops pip's notes about local index folders that do not exist)
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v "is ignored" >&2 || true
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 \
    | grep -v "is ignored" >&2 || true
  .venv/bin/python -c "import bookbuild, weasyprint, ebooklib, pypandoc" || { echo "setup: install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
# bookbuild's own bytecode: an editable install never writes it when
# PYTHONDONTWRITEBYTECODE is set, and compiling 150 modules at every start
# costs ~0.2 s a command (a second each serve edit waits for).  Up-to-date
# files are skipped; a stale .pyc is never used (Python checks the source's mtime).
.venv/bin/python -m compileall -q src/bookbuild >/dev/null || true

# DAISY Ace, pinned by tools/ace/package-lock.json; re-installed only when the
# lock changes. --ignore-scripts: no browser download (Puppeteer's, Electron's),
# Ace runs Debian's Chromium (PUPPETEER_EXECUTABLE_PATH, set by bookbuild).
ace_stamp="tools/ace/node_modules/.bookbuild-lock"
ace_want="$(sha256sum tools/ace/package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$ace_stamp" 2>/dev/null)" != "$ace_want" ]; then
  echo "setup: installing DAISY Ace into tools/ace/node_modules" >&2
  (cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  [ -x tools/ace/node_modules/.bin/ace-puppeteer ] || { echo "setup: Ace install failed" >&2; exit 1; }
  echo "$ace_want" > "$ace_stamp"
fi
