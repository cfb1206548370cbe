#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages (fonts, poppler,
# Java for EPUBCheck, Chromium for screenshots and the benchmark anchor) and a
# venv in .venv with the pinned dependencies of requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(fonts-noto-cjk fontconfig poppler-utils default-jre-headless chromium)

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
