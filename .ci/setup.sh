#!/usr/bin/env bash
# Installs everything a fresh machine of this kind lacks, idempotently:
#   system packages (Debian): WeasyPrint's HarfBuzz subsetter, poppler-utils, fonts, Java;
#   the Nu HTML Checker (npm vnu-jar, pinned in package-lock.json);
#   the Python environment in .venv (pinned in pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(libharfbuzz-subset0 poppler-utils fonts-linuxlibertine default-jre-headless)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "setup: installing the Nu HTML Checker (npm ci)"
  npm ci --silent --no-audit --no-fund >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  rm -f .venv/.installed-*; touch "$stamp"
fi
echo "setup: done"
