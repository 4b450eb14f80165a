#!/usr/bin/env python3
"""Capture the raw HTTP requests botocore/boto3 puts on the wire.

Each call goes through a real boto3 client. A ``before-send`` handler receives
the fully signed AWSPreparedRequest, writes it as a fixture and returns a fake
AWSResponse, so nothing leaves the machine. Presigned URLs are recorded as a
request with no Authorization header.

botocore hands the request to urllib3/http.client, which add a few transport
headers of their own; the handler adds them the same way: ``Host`` (from the
URL), ``Accept-Encoding: identity`` and ``Content-Length`` when botocore did
not set them.

The clock is fixed (2026-01-15T12:00:00Z) and uuid4 (invocation ids,
idempotency tokens) is made deterministic, so regenerating gives the same
bytes.

Usage: python3 gen.py OUTDIR   (OUTDIR is mapper/testdata/requests)
Run it with each Python whose botocore should be captured.
"""

import datetime
import hashlib
import json
import os
import platform
import sys
import types
import uuid
from urllib.parse import urlsplit

# botocore builds parts of the user agent from sets; a fixed hash seed keeps
# their order (and so the fixtures) stable.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

# Keep the user's environment and files out of the client configuration.
for _k in list(os.environ):
    if _k.startswith("AWS_") or _k.startswith("BOTO"):
        del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore  # noqa: E402
import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.config import Config  # noqa: E402

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT = "123456789012"
MAX_BODY = 64 << 10

FIXED = datetime.datetime(2026, 1, 15, 12, 0, 0)
FIXED_EPOCH = FIXED.replace(tzinfo=datetime.timezone.utc).timestamp()

# --- fixed clock -----------------------------------------------------------


class _FixedDateTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return FIXED

    @classmethod
    def now(cls, tz=None):
        if tz is None:
            return FIXED
        return FIXED.replace(tzinfo=datetime.timezone.utc).astimezone(tz)


botocore.auth.datetime = types.SimpleNamespace(
    datetime=_FixedDateTime, timezone=datetime.timezone, timedelta=datetime.timedelta
)
if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: (
        FIXED if remove_tzinfo else FIXED.replace(tzinfo=datetime.timezone.utc)
    )
botocore.auth.time = types.SimpleNamespace(time=lambda: FIXED_EPOCH)
try:  # botocore signs with awscrt when it is installed (Debian's does)
    import botocore.crt.auth

    botocore.crt.auth.datetime = botocore.auth.datetime
except ImportError:
    pass
botocore.auth.formatdate = lambda *a, **k: "Thu, 15 Jan 2026 12:00:00 GMT"

# The user agent carries the kernel release; pin it so fixtures do not
# change from one machine to the next.
platform.release = lambda: "6.1.0"

# --- deterministic uuid4 ---------------------------------------------------

_uuid_state = {"seed": "", "n": 0}


def _uuid4():
    _uuid_state["n"] += 1
    h = hashlib.sha256(f"{_uuid_state['seed']}#{_uuid_state['n']}".encode()).digest()
    return uuid.UUID(bytes=h[:16], version=4)


uuid.uuid4 = _uuid4

# --- capture ---------------------------------------------------------------


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body

    def read(self, *a, **k):
        b, self._body = self._body, b""
        return b


EXPRESS_SESSION = (
    b'<?xml version="1.0" encoding="UTF-8"?><CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Credentials><SessionToken>FAKESESSIONTOKEN</SessionToken><SecretAccessKey>FAKESESSIONSECRET</SecretAccessKey>"
    b"<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>"
)


def _header_str(v):
    return v.decode("latin-1") if isinstance(v, bytes) else str(v)


def _read_body(body):
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        pos = body.tell() if hasattr(body, "tell") else None
        data = body.read()
        if pos is not None and hasattr(body, "seek"):
            try:
                body.seek(pos)
            except Exception:
                pass
        return data if isinstance(data, bytes) else data.encode("utf-8")
    # Iterables (chunked generators).
    return b"".join(body)


_METHODS_EXPECTING_BODY = {"PATCH", "POST", "PUT"}


def raw_request(method, url, headers, body, transport_headers=True):
    """Build the bytes urllib3/http.client would send for this request.

    A presigned URL is sent by whatever HTTP client the user picks, so it
    gets only a Host header (transport_headers=False).
    """
    u = urlsplit(url)
    target = u.path or "/"
    if u.query:
        target += "?" + u.query
    host = u.hostname
    if ":" in host:  # IPv6 literal
        host = "[" + host + "]"
    default_port = 443 if u.scheme == "https" else 80
    if u.port and u.port != default_port:
        host += ":%d" % u.port
    names = {k.lower() for k in headers}
    lines = ["%s %s HTTP/1.1" % (method, target)]
    if "host" not in names:  # http.client skips its own Host when one is given
        lines.append("Host: " + host)
    if "accept-encoding" not in names and transport_headers:
        lines.append("Accept-Encoding: identity")
    if "content-length" not in names and "transfer-encoding" not in names and transport_headers:
        if body is not None:
            lines.append("Content-Length: %d" % len(body))
        elif method.upper() in _METHODS_EXPECTING_BODY:
            lines.append("Content-Length: 0")
    for k, v in headers.items():
        lines.append("%s: %s" % (k, _header_str(v)))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    body = body or b""
    chunked = any(k.lower() == "transfer-encoding" and "chunked" in _header_str(v).lower() for k, v in headers.items())
    if chunked and body:
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    return head, body


def wire_protocol(headers, body, fallback):
    h = {k.lower(): _header_str(v) for k, v in headers.items()}
    if h.get("smithy-protocol") == "rpc-v2-cbor":
        return "rpc-v2-cbor"
    if "x-amz-target" in h:
        return "json"
    if h.get("content-type", "").startswith("application/x-www-form-urlencoded") and body and b"Action=" in body:
        return "ec2" if fallback == "ec2" else "query"
    return fallback


def clean(root):
    """Remove the fixtures (NAME.http, NAME.json) a previous run wrote.

    Golden files kept next to them belong to the mapper tests and stay.
    """
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".http"):
                base = os.path.join(dirpath, f[: -len(".http")])
                os.remove(base + ".http")
                if os.path.exists(base + ".json"):
                    os.remove(base + ".json")


class Gen:
    def __init__(self, out):
        self.botocore_version = botocore.__version__
        self.boto3_version = boto3.__version__
        self.client_label = "boto3 %s / botocore %s" % (self.boto3_version, self.botocore_version)
        self.out = os.path.join(out, "botocore-" + self.botocore_version)
        self.current = None
        self.sent = []
        self.counts = {}
        self.skipped = []
        self.written = set()
        clean(self.out)

    def before_send(self, request, **kwargs):
        body = _read_body(request.body)
        self.sent.append((request.method, request.url, list(request.headers.items()), body, request.headers))
        if "?session" in request.url and "--x-s3" in request.url:
            return AWSResponse(request.url, 200, {"Content-Type": "application/xml"}, _Raw(EXPRESS_SESSION))
        ctype = _header_str(request.headers.get("Content-Type", b""))
        if _header_str(request.headers.get("smithy-protocol", "")) == "rpc-v2-cbor":
            return AWSResponse(request.url, 400, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}, _Raw(b""))
        if "X-Amz-Target" in request.headers or "json" in ctype:
            return AWSResponse(
                request.url,
                400,
                {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "ValidationException"},
                _Raw(b'{"__type":"ValidationException","message":"fixture capture"}'),
            )
        return AWSResponse(
            request.url,
            400,
            {"Content-Type": "application/xml"},
            _Raw(
                b'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>'
                b"<Code>InvalidRequest</Code><Message>fixture capture</Message></Error><RequestId>fixture</RequestId></ErrorResponse>"
            ),
        )

    def client(self, name, region="us-east-1", config=None, endpoint_url=None):
        session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=region
        )
        kwargs = {}
        if config is not None:
            kwargs["config"] = config
        if endpoint_url:
            kwargs["endpoint_url"] = endpoint_url
        c = session.client(name, **kwargs)
        c.meta.events.register_first("before-send", self.before_send)
        return c

    def write(self, spec, client, op, fname, method, url, header_items, body, presigned, note):
        headers = dict(header_items)
        sm = client.meta.service_model
        proto = getattr(sm, "resolved_protocol", None) or sm.protocol
        if proto == "smithy-rpc-v2-cbor":
            proto = "rpc-v2-cbor"
        seen = wire_protocol(headers, body, proto)
        if seen != proto:
            print("warning: %s/%s: model protocol %s, wire says %s" % (spec.service, fname, proto, seen), file=sys.stderr)
        if body is not None and len(body) > MAX_BODY:
            body = body[:MAX_BODY]
            note = (note + "; body truncated to 64 KiB").strip("; ")
        head, payload = raw_request(method, url, headers, body, transport_headers=not presigned)
        u = urlsplit(url)
        meta = {
            "client": self.client_label,
            "service_id": sm.service_id,
            "sdk_service": spec.service,
            "operation": op,
            "protocol": proto,
            "scheme": u.scheme,
            "region": client.meta.region_name,
        }
        if presigned:
            meta["presigned"] = True
        if spec.endpoint_url:
            meta["endpoint_url"] = spec.endpoint_url
        if note:
            meta["note"] = note
        d = os.path.join(self.out, spec.service)
        os.makedirs(d, exist_ok=True)
        base = os.path.join(d, fname)
        if base in self.written:
            raise SystemExit("duplicate fixture " + base)
        self.written.add(base)
        with open(base + ".http", "wb") as f:
            f.write(head + payload)
        with open(base + ".json", "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        self.counts[spec.service] = self.counts.get(spec.service, 0) + 1

    def run(self, spec):
        name = spec.op + ("-" + spec.variant if spec.variant else "")
        _uuid_state["seed"] = "%s/%s" % (spec.service, name)
        _uuid_state["n"] = 0
        try:
            client = self.client(spec.service, spec.region, spec.config, spec.endpoint_url)
        except Exception as e:  # service unknown to this botocore
            self.skipped.append("%s/%s: %s" % (spec.service, name, str(e)[:80]))
            return
        api_to_method = {v: k for k, v in client.meta.method_to_api_mapping.items()}
        method_name = api_to_method.get(spec.op)
        if method_name is None:
            self.skipped.append("%s/%s: operation unknown to botocore %s" % (spec.service, name, self.botocore_version))
            return
        if spec.presign:
            try:
                url = client.generate_presigned_url(
                    method_name, Params=spec.params, ExpiresIn=spec.expires, HttpMethod=spec.http_method
                )
            except Exception as e:
                self.skipped.append("%s/%s: presign failed: %s" % (spec.service, name, e))
                return
            self.write(spec, client, spec.op, name, spec.http_method or "GET", url, [], None, True, spec.note)
            return
        self.sent = []
        err = None
        try:
            getattr(client, method_name)(**spec.params)
        except Exception as e:  # the fake response is an error; that's fine
            err = e
        if not self.sent:
            self.skipped.append("%s/%s: nothing sent: %r" % (spec.service, name, err))
            return
        sent = self.sent
        if len(sent) > 1 and "?session" in sent[0][1]:
            m, url, hdrs, body, _ = sent[0]
            self.write(spec, client, "CreateSession", "CreateSession-" + name, m, url, hdrs, body, False,
                       "sent by botocore before %s to obtain S3 Express session credentials" % spec.op)
            sent = sent[1:]
        if len(sent) > 1:
            print("note: %s/%s sent %d requests; keeping the first" % (spec.service, name, len(sent)), file=sys.stderr)
        m, url, hdrs, body, _ = sent[0]
        note = spec.note
        if "s3express" in note and "s3express" not in url:
            note = "directory bucket name, but this botocore does not know S3 Express: plain S3 endpoint and signing"
        self.write(spec, client, spec.op, name, m, url, hdrs, body, False, note)


class Spec:
    def __init__(self, service, op, params=None, variant="", note="", region="us-east-1", config=None,
                 endpoint_url=None, presign=False, expires=900, http_method=None):
        self.service = service
        self.op = op
        self.params = params or {}
        self.variant = variant
        self.note = note
        self.region = region
        self.config = config
        self.endpoint_url = endpoint_url
        self.presign = presign
        self.expires = expires
        self.http_method = http_method


def main(argv):
    if len(argv) != 2:
        print("usage: gen.py OUTDIR", file=sys.stderr)
        return 2
    from specs import specs  # noqa: E402  (next to this file)

    g = Gen(argv[1])
    for spec in specs(Spec, Config):
        g.run(spec)
    total = 0
    for k in sorted(g.counts):
        total += g.counts[k]
        print("%-24s %d" % (k, g.counts[k]), file=sys.stderr)
    for s in g.skipped:
        print("skipped: " + s, file=sys.stderr)
    print("total %d fixtures in %s" % (total, g.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv))
