// Captures the raw HTTP requests the AWS SDK for JavaScript v3 puts on the
// wire and writes them as fixtures under mapper/testdata/requests.
//
// Every client gets a request handler that wraps the SDK's own
// NodeHttpHandler but connects to a local HTTP server: the scheme becomes
// http and the address 127.0.0.1, while the Host header (set by the SDK)
// keeps the real AWS hostname. The server records the request as Node
// received it (rawHeaders keep the order and case) and answers with an
// error, which the SDK reports after the send; that error is ignored.
//
// The clock (Date.now and new Date()), crypto.randomUUID (invocation ids, idempotency
// tokens) and os.release (user agent) are pinned so regenerating gives the
// same bytes.
//
// Usage (from this directory): npm ci && node gen.mjs ../../requests

import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const FIXED_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED_MS);
    else super(...args);
  }
  static now() {
    return FIXED_MS;
  }
};
os.release = () => "6.1.0";
let uuidSeed = "";
let uuidN = 0;
globalThis.crypto.randomUUID = () => {
  uuidN++;
  const h = createHash("sha256").update(`${uuidSeed}#${uuidN}`).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
};

// Load the SDK only now, after the pins above (it reads os.release at load).
const sdk = {
  s3: await import("@aws-sdk/client-s3"),
  presigner: await import("@aws-sdk/s3-request-presigner"),
  dynamodb: await import("@aws-sdk/client-dynamodb"),
  sqs: await import("@aws-sdk/client-sqs"),
  cloudwatch: await import("@aws-sdk/client-cloudwatch"),
  sts: await import("@aws-sdk/client-sts"),
  lambda: await import("@aws-sdk/client-lambda"),
  sns: await import("@aws-sdk/client-sns"),
  kms: await import("@aws-sdk/client-kms"),
  iam: await import("@aws-sdk/client-iam"),
  ec2: await import("@aws-sdk/client-ec2"),
  "secrets-manager": await import("@aws-sdk/client-secrets-manager"),
  "cloudwatch-logs": await import("@aws-sdk/client-cloudwatch-logs"),
};
const { NodeHttpHandler } = await import("@smithy/node-http-handler");
const require = createRequire(import.meta.url);

const MAX_BODY = 64 << 10;
const CREDS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const EXPRESS_SESSION =
  '<?xml version="1.0" encoding="UTF-8"?><CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  "<Credentials><SessionToken>FAKESESSIONTOKEN</SessionToken><SecretAccessKey>FAKESESSIONSECRET</SecretAccessKey>" +
  "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>";

// Fallback protocol per client where the wire does not tell.
const REST = { s3: "rest-xml", lambda: "rest-json" };
const SERVICE_ID = {
  s3: "S3", dynamodb: "DynamoDB", sqs: "SQS", cloudwatch: "CloudWatch", sts: "STS", lambda: "Lambda", sns: "SNS",
  kms: "KMS", iam: "IAM", ec2: "EC2", "secrets-manager": "Secrets Manager", "cloudwatch-logs": "CloudWatch Logs",
};

let received = [];

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body = Buffer.concat(chunks);
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    let chunked = false;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      if (req.rawHeaders[i].toLowerCase() === "transfer-encoding" && /chunked/i.test(req.rawHeaders[i + 1])) chunked = true;
    }
    if (chunked && body.length) {
      // Node removed the chunk framing; put it back as one chunk.
      body = Buffer.concat([Buffer.from(body.length.toString(16) + "\r\n"), body, Buffer.from("\r\n0\r\n\r\n")]);
    }
    received.push({ head: lines.join("\r\n") + "\r\n\r\n", body, headers: req.headers, url: req.url });
    const h = req.headers;
    // A Date far from the pinned clock would make the SDK retry with a
    // clock-skew correction.
    res.sendDate = false;
    res.setHeader("date", new Date(FIXED_MS).toUTCString());
    if (req.url.includes("?session") && (h.host || "").includes("--x-s3")) {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(EXPRESS_SESSION);
    } else if (h["smithy-protocol"] === "rpc-v2-cbor") {
      res.writeHead(400, { "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor" });
      res.end();
    } else if (h["x-amz-target"] || (h["content-type"] || "").includes("json")) {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ValidationException" });
      res.end('{"__type":"ValidationException","message":"fixture capture"}');
    } else {
      res.writeHead(400, { "content-type": "application/xml" });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>InvalidRequest</Code>' +
          "<Message>fixture capture</Message></Error><RequestId>fixture</RequestId></ErrorResponse>",
      );
    }
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

// Redirect sends the request to the capture server; the Host header the SDK
// set stays as it is.
class Redirect {
  constructor() {
    this.inner = new NodeHttpHandler();
    this.metadata = { handlerProtocol: "http/1.1" };
  }
  async handle(request, options) {
    const r = request.clone();
    if (!Object.keys(r.headers).some((k) => k.toLowerCase() === "host")) {
      r.headers.host = request.port ? `${request.hostname}:${request.port}` : request.hostname;
    }
    r.protocol = "http:";
    r.hostname = "127.0.0.1";
    r.port = port;
    return this.inner.handle(r, options);
  }
  updateHttpClientConfig(key, value) {
    this.inner.updateHttpClientConfig(key, value);
  }
  httpHandlerConfigs() {
    return this.inner.httpHandlerConfigs();
  }
  destroy() {
    this.inner.destroy();
  }
}

function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(require.resolve(`@aws-sdk/client-${name}/package.json`), "utf8")).version;
}

function wireProtocol(headers, body, fallback) {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  if (h["smithy-protocol"] === "rpc-v2-cbor") return "rpc-v2-cbor";
  if (h["x-amz-target"]) return "json";
  if ((h["content-type"] || "").startsWith("application/x-www-form-urlencoded") && body.includes("Action=")) {
    return fallback === "ec2" ? "ec2" : "query";
  }
  return fallback;
}

const outRoot = path.join(process.argv[2] || "../../requests", "aws-sdk-js-v3");
const counts = {};
const written = new Set();

function clean(dir) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) clean(p);
    else if (e.name.endsWith(".http")) {
      fs.rmSync(p);
      fs.rmSync(p.slice(0, -".http".length) + ".json", { force: true });
    }
  }
}

function write(spec, op, file, head, body, presigned, note) {
  const headers = {};
  for (const line of head.split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  const fallback = spec.client === "ec2" ? "ec2" : REST[spec.client] || "query";
  const proto = wireProtocol(headers, body.toString("latin1"), fallback);
  if (body.length > MAX_BODY) {
    body = body.subarray(0, MAX_BODY);
    note = [note, "body truncated to 64 KiB"].filter(Boolean).join("; ");
  }
  const meta = {
    client: `aws-sdk-js-v3 @aws-sdk/client-${spec.client}@${pkgVersion(spec.client)}`,
    service_id: SERVICE_ID[spec.client],
    sdk_service: spec.client,
    operation: op,
    protocol: proto,
    scheme: "https",
    region: spec.region || "us-east-1",
  };
  if (presigned) meta.presigned = true;
  if (note) meta.note = note;
  const dir = path.join(outRoot, spec.client);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, file);
  if (written.has(base)) throw new Error(`duplicate fixture ${base}`);
  written.add(base);
  fs.writeFileSync(base + ".http", Buffer.concat([Buffer.from(head, "latin1"), body]));
  fs.writeFileSync(base + ".json", JSON.stringify(meta, null, 2) + "\n");
  counts[spec.client] = (counts[spec.client] || 0) + 1;
}

function makeClient(spec) {
  const mod = sdk[spec.client];
  const name = Object.keys(mod).find((k) => k.endsWith("Client") && !k.startsWith("__") && typeof mod[k] === "function");
  return new mod[name]({
    region: spec.region || "us-east-1",
    credentials: CREDS,
    requestHandler: new Redirect(),
    ...(spec.config || {}),
  });
}

async function run(spec) {
  const name = spec.op + (spec.variant ? "-" + spec.variant : "");
  uuidSeed = `${spec.client}/${name}`;
  uuidN = 0;
  received = [];
  const client = makeClient(spec);
  const command = new sdk[spec.client][spec.op + "Command"](spec.input);
  if (spec.presign) {
    const url = new URL(await sdk.presigner.getSignedUrl(client, command, { expiresIn: spec.expires || 900 }));
    const head = `${spec.presign} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`;
    write(spec, spec.op, name, head, Buffer.alloc(0), true, spec.note);
    client.destroy();
    return;
  }
  try {
    await client.send(command);
  } catch {
    // The capture server answers with an error; the request is what counts.
  }
  client.destroy();
  let got = received;
  if (got.length === 0) throw new Error(`${spec.client}/${name}: nothing sent`);
  if (got.length > 1 && got[0].url.includes("?session")) {
    write(spec, "CreateSession", "CreateSession-" + name, got[0].head, got[0].body, false,
      `sent by the SDK before ${spec.op} to obtain S3 Express session credentials`);
    got = got.slice(1);
  }
  if (got.length > 1) console.error(`note: ${spec.client}/${name} sent ${got.length} requests; keeping the first`, process.env.DEBUG_FIXTURES ? got.map((g) => g.head) : "");
  write(spec, spec.op, name, got[0].head, got[0].body, false, spec.note);
}

const { specs } = await import("./specs.mjs");
clean(outRoot);
for (const spec of specs()) {
  await run(spec);
}
server.close();
let total = 0;
for (const k of Object.keys(counts).sort()) {
  total += counts[k];
  console.error(`${k.padEnd(24)} ${counts[k]}`);
}
console.error(`total ${total} fixtures in ${outRoot}`);
