#!/bin/sh
# Installs what `make test` needs on a fresh Debian machine. Idempotent:
# apt runs only when something is missing, npm only when e2e/js's
# node_modules is missing or older than its package-lock.json.
set -eu
cd "$(dirname "$0")/.."

need_apt=""
command -v gcc >/dev/null 2>&1 || need_apt="$need_apt gcc"
# The e2e suite's real clients: the AWS CLI v2 and boto3 from Debian (the
# tests call /usr/bin/aws and /usr/bin/python3, whatever PATH says).
[ -x /usr/bin/aws ] && /usr/bin/aws --version 2>/dev/null | grep -q '^aws-cli/2\.' || need_apt="$need_apt awscli"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import boto3' 2>/dev/null || need_apt="$need_apt python3-boto3"
# curl checks the CA's name constraints as a client nobody here wrote.
command -v curl >/dev/null 2>&1 || need_apt="$need_apt curl"
# and Node for the JavaScript SDK v3 (npm below).
command -v node >/dev/null 2>&1 || need_apt="$need_apt nodejs"
command -v npm >/dev/null 2>&1 || need_apt="$need_apt npm"
# Headless Chromium screenshots `iamwatch report`'s page (generator/report).
[ -x /usr/bin/chromium ] || need_apt="$need_apt chromium"
if [ -n "$need_apt" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt
	else
		echo "test-deps: missing:$need_apt (run as root or install them)" >&2
		exit 1
	fi
fi

go mod download
# The e2e Go client is a module of its own.
(cd e2e/goclient && go mod download)

js=e2e/js
if [ ! -f "$js/node_modules/.package-lock.json" ] || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
	npm ci --prefix "$js" --no-audit --no-fund --loglevel=error
fi

# generator/eval's TestCrossCheck runs its corpus through an independent
# IAM evaluator, @cloud-copilot/iam-simulate, as an external program.
xc=generator/eval/testdata/crosscheck
if [ ! -f "$xc/node_modules/.package-lock.json" ] || [ "$xc/package-lock.json" -nt "$xc/node_modules/.package-lock.json" ]; then
	npm ci --prefix "$xc" --no-audit --no-fund --loglevel=error
fi
