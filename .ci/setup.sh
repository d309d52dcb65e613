#!/usr/bin/env bash
# Installs everything a fresh machine of this kind lacks, idempotently:
#   system packages (Debian): WeasyPrint's HarfBuzz subsetter, poppler-utils, fonts, Java;
#   the Nu HTML Checker (npm vnu-jar, pinned in package-lock.json; re-run when it changes);
#   the Python environment in .venv: every package at the version and hash of requirements.lock
#   (made from pyproject.toml with `uv pip compile pyproject.toml --extra test --generate-hashes
#   --python-version 3.11 -o requirements.lock`), then this project without dependencies;
#   re-run when pyproject.toml or requirements.lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(libharfbuzz-subset0 poppler-utils fonts-linuxlibertine default-jre-headless chromium)
# Exact versions of the packages that shape the outputs' bytes (Debian 12). The fonts' version
# is also checked in output/manifest.json (src/build/provenance.py, FONT_PACKAGE_VERSION).
declare -A apt_pins=([fonts-linuxlibertine]=5.3.0-6)
missing=()
for p in "${apt_pkgs[@]}"; do
  pin=${apt_pins[$p]:-}
  if [ -n "$pin" ]; then
    [ "$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null)" = "install ok installed $pin" ] \
      || missing+=("$p=$pin")
  else
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # another install holding the package manager's lock: wait for it (up to 10 minutes)
  # rather than fail at once
  wait_lock=(-o DPkg::Lock::Timeout=600)
  $SUDO apt-get "${wait_lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${wait_lock[@]}" install -y -qq \
    --no-install-recommends --allow-downgrades "${missing[@]}" >/dev/null
fi

npm_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -f "$npm_stamp" ]; then
  echo "setup: installing the validators of package-lock.json (npm ci)"
  npm ci --silent --no-audit --no-fund >/dev/null
  rm -f node_modules/.installed-*; touch "$npm_stamp"
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing the locked Python packages (requirements.lock) into .venv"
  .venv/bin/python -m pip install -q --upgrade pip==26.3
  .venv/bin/python -m pip install -q --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps -e .
  rm -f .venv/.installed-*; touch "$stamp"
fi
echo "setup: done"
