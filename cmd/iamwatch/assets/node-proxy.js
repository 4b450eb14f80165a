'use strict';
// Preloaded by iamwatch (NODE_OPTIONS=--require) so that Node programs that
// ignore HTTPS_PROXY, such as the AWS SDK for JavaScript v3 on Node 20, send
// their AWS requests through the iamwatch proxy. Only connections to AWS
// hosts are tunnelled; NO_PROXY is honoured; nothing else changes.
const http = require('http');
const http2 = require('http2');
const https = require('https');
const tls = require('tls');
const { Duplex } = require('stream');

const proxyURL = process.env.IAMWATCH_PROXY || process.env.HTTPS_PROXY || process.env.https_proxy;

function isAWS(host) {
  return /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i.test(host || '');
}

function bypassed(host) {
  const list = (process.env.NO_PROXY || process.env.no_proxy || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const h = (host || '').toLowerCase();
  return list.some((e) => e === '*' || h === e.replace(/^\./, '') || h.endsWith(e.startsWith('.') ? e : '.' + e));
}

if (proxyURL && !global.__iamwatchProxy) {
  global.__iamwatchProxy = true;
  const p = new URL(proxyURL);
  const auth = p.password
    ? { 'proxy-authorization': 'Basic ' + Buffer.from(decodeURIComponent(p.username) + ':' + decodeURIComponent(p.password)).toString('base64') }
    : {};
  // connectTunnel asks the proxy for a tunnel to target and calls back
  // with its socket.
  const connectTunnel = (target, callback) => {
    const req = http.request({
      host: p.hostname,
      port: p.port || 80,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...auth },
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`iamwatch proxy answered ${res.statusCode} to CONNECT ${target}`));
        return;
      }
      callback(null, socket);
    });
    req.once('error', (err) => callback(err));
    req.end();
  };

  // HTTP/2 clients (the SDK's NodeHttp2Handler: Bedrock Runtime, streaming
  // APIs) connect with http2.connect, which needs its connection at once:
  // a Duplex stands in for the tunnel and holds what is written until the
  // proxy has answered the CONNECT.
  const tunnelStream = (target) => {
    let socket = null;
    let ended = false;
    const queued = [];
    const d = new Duplex({
      write(chunk, encoding, cb) {
        if (socket) socket.write(chunk, encoding, cb);
        else queued.push([chunk, encoding, cb]);
      },
      final(cb) {
        if (socket) socket.end(cb);
        else { ended = true; cb(); }
      },
      read() {
        if (socket) socket.resume();
      },
      destroy(err, cb) {
        if (socket) socket.destroy(err || undefined);
        cb(err);
      },
    });
    connectTunnel(target, (err, s) => {
      if (err) { d.destroy(err); return; }
      socket = s;
      s.on('data', (b) => { if (!d.push(b)) s.pause(); });
      s.on('end', () => d.push(null));
      s.on('error', (e) => d.destroy(e));
      for (const [chunk, encoding, cb] of queued) s.write(chunk, encoding, cb);
      queued.length = 0;
      if (ended) s.end();
    });
    return d;
  };
  const originalConnect = http2.connect;
  http2.connect = function connect(authority, options, listener) {
    if (typeof options === 'function') {
      listener = options;
      options = undefined;
    }
    let url;
    try {
      url = typeof authority === 'string' ? new URL(authority) : authority;
    } catch (e) {
      return originalConnect.call(this, authority, options, listener);
    }
    const host = url && url.hostname;
    if (!isAWS(host) || bypassed(host) || (options && options.createConnection)) {
      return originalConnect.call(this, authority, options, listener);
    }
    const target = `${host}:${url.port || 443}`;
    const opts = {
      ...options,
      createConnection: () => tls.connect({ ...options, socket: tunnelStream(target), servername: host, ALPNProtocols: ['h2'] }),
    };
    return originalConnect.call(this, authority, opts, listener);
  };

  const original = https.Agent.prototype.createConnection;
  https.Agent.prototype.createConnection = function createConnection(options, callback) {
    const host = options.host || options.hostname || options.servername;
    if (!isAWS(host) || bypassed(host) || typeof callback !== 'function') {
      return original.call(this, options, callback);
    }
    const port = options.port || 443;
    connectTunnel(`${host}:${port}`, (err, socket) => {
      if (err) { callback(err); return; }
      callback(null, tls.connect({ ...options, socket, servername: options.servername || host }));
    });
    return undefined;
  };
}
