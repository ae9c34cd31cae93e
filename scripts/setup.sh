#!/usr/bin/env bash
# Idempotent set-up: installs missing Debian packages, then builds/updates .venv from requirements.txt.
# Used by `make run` and `make test`; safe to run again (a stamp skips pip when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  fonts-noto-cjk          # CJK glyphs for the UI and receipt previews (the base image has none)
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
  xvfb xauth              # a virtual screen when `make run` finds no display
  libpulse0               # QtMultimedia / QtTextToSpeech import
  pcscd libpcsclite-dev swig   # PC/SC daemon; pyscard builds against winscard.h with SWIG
  vsmartcard-vpcd         # virtual PC/SC reader the tests put their virtual cards into
  libzbar0                # pyzbar (fallback QR decoder, compared in bench/)
  socat                   # serial wires for device simulators and manual testing
  postgresql              # the hub's city/province database; its tests run against SQLite and PostgreSQL
  tpm2-tools swtpm        # seal the database key with the TPM (local_db/tpm.py); its tests run on a software TPM
  espeak-ng alsa-utils    # voice guidance: Mandarin/English speech (kiosk/voice_synth.py), aplay plays it
  debootstrap systemd-container   # the Debian package test: a clean root (debootstrap), booted with systemd-nspawn
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pinned Python packages"
  # The machine's pip config may name local mirrors that do not exist; their warnings are noise here.
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt 2>&1 \
    | { grep -v "is ignored: it is neither" || true; }
  echo "$want" > "$stamp"
fi
