#!/bin/sh
# Installs what `make test` needs on a fresh Debian machine. Idempotent.
set -eu
need_apt=""
command -v gcc >/dev/null 2>&1 || need_apt="$need_apt gcc"
if [ -n "$need_apt" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt
	else
		echo "test-deps: missing:$need_apt (run as root or install them)" >&2
		exit 1
	fi
fi
go mod download
