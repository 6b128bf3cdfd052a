#!/usr/bin/env bash
# Installs the Debian packages Tributary builds and runs with, only those that are missing.
# Idempotent: a second run installs nothing. Needs root (or sudo) the first time only.
set -euo pipefail
PKGS=(libopenmpi-dev openmpi-bin libopenblas-dev liblapacke-dev libhdf5-dev hdf5-tools
      libpng-dev libturbojpeg0-dev zlib1g-dev gnuplot-nox pkg-config python3-h5py python3-numpy python3-sklearn dataset-fashion-mnist)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "tributary: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "tributary: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
