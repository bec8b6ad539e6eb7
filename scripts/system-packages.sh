#!/usr/bin/env bash
# Installs the Debian packages the app needs, only those missing.
#   scripts/system-packages.sh run    — what serving the app and rendering PDFs need
#   scripts/system-packages.sh test   — the above, plus the browser, poppler and LibreOffice the tests use
set -euo pipefail

run_packages=(
  fonts-noto-cjk          # the Chinese font the PDFs embed
  fontconfig
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b
  libharfbuzz-subset0     # without it WeasyPrint subsets CJK fonts 14x slower (DESIGN.md, Known traps)
  gettext                 # compiles the English catalogue
)
test_packages=(
  chromium                # the browser tests drive Debian's Chromium through Playwright
  poppler-utils           # pdftotext / pdffonts read the PDFs back
  libreoffice-calc        # opens the Excel exports as real spreadsheet software does
)

packages=("${run_packages[@]}")
if [ "${1:-run}" = "test" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
