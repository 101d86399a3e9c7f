#!/usr/bin/env bash
# Installs the Debian packages Hotline builds, runs and tests with; with --test-tools also schemathesis
# (PyPI) for the API check. Safe to run again: it only installs what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  pkg-config
  libsqlite3-dev      # HotlineSQLite (GRDB links the system SQLite)
  libspandsp-dev      # HotlineMedia: DTMF, tones, PLC, fax (CSpanDSP)
  libespeak-ng-dev    # HotlineMedia: speech synthesis
  espeak-ng           # prompt generation
  sox                 # prompt generation (resampling to 8 kHz)
  libsox-fmt-all
  libtiff-tools       # fax: TIFF inspection, tiff2pdf
  sip-tester          # sipp: SIP peer in integration tests and load runs
  baresip             # baresip: SIP phone in integration tests
  python3-venv        # a private environment for schemathesis (PyPI), which checks the HTTP API
)

# schemathesis from PyPI into .build/tools (outside git; Debian's Python refuses user-wide pip installs).
install_schemathesis() {
  local tools=".build/tools"
  if [ -x "$tools/bin/schemathesis" ]; then return; fi
  echo "install-deps: installing schemathesis (PyPI) into $tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "schemathesis>=4.3,<5"
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  [ "${1:-}" != "--test-tools" ] || install_schemathesis
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ "${1:-}" != "--test-tools" ] || install_schemathesis
