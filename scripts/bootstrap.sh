#!/usr/bin/env bash
# Installs what building and testing pii-scrub needs on a fresh Debian machine with Swift:
# PCRE2 (8-bit, with JIT) and pkg-config. Idempotent; needs root (or sudo) only when something
# is missing.
set -euo pipefail
need=()
pkg-config --exists libpcre2-8 2>/dev/null || need+=(libpcre2-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libpcre2-dev pkg-config python3 >/dev/null
fi
