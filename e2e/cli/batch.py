"""Runs AWS CLI v2 commands, many in one process.

The Debian AWS CLI v2 spends about a second starting up, mostly in Python
imports and in looking up the Linux distribution for its User-Agent. This
runs each command through the CLI's own entry point (what /usr/bin/aws
calls), so a batch pays that once.

    batch.py [--endpoint-url URL] OPSFILE

Each line of OPSFILE is "ok ARGS..." (must succeed) or "denied ARGS..." (must
fail with the CLI's service-error code 254), in shell-like quoting; $WORK is
a scratch directory with body.txt and fn.zip, $ENDPOINT the endpoint URL.
Failures are reported on stderr as FAILED lines; the exit status is 1 if
there was one.
"""
import os
import shlex
import shutil
import sys
import tempfile

from awscli.clidriver import AWSCLIEntryPoint

SERVICE_ERROR_RC = 254


def main(argv):
    endpoint = None
    if len(argv) >= 2 and argv[0] == "--endpoint-url":
        endpoint, argv = argv[1], argv[2:]
    with open(argv[0]) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    work = tempfile.mkdtemp()
    try:
        return run(lines, work, endpoint)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(lines, work, endpoint):
    with open(os.path.join(work, "body.txt"), "w") as f:
        f.write("hello from the AWS CLI v2\n")
    with open(os.path.join(work, "fn.zip"), "wb") as f:
        f.write(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip archive
    failed = 0
    for line in lines:
        line = line.replace("$WORK", work).replace("$ENDPOINT", endpoint or "")
        kind, *args = shlex.split(line)
        args = ["--output", "json"] + args
        if endpoint:
            args = ["--endpoint-url", endpoint] + args
        out = open(os.path.join(work, "out"), "w")
        saved = sys.stdout
        sys.stdout = out
        try:
            rc = AWSCLIEntryPoint().main(args)
        finally:
            sys.stdout = saved
            out.close()
        want = 0 if kind == "ok" else SERVICE_ERROR_RC
        if rc != want:
            print(f"FAILED({rc}, want {want}): aws {' '.join(args)}", file=sys.stderr)
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
