'use strict';
// Preloaded by iamwatch (NODE_OPTIONS=--require) so that Node programs that
// ignore HTTPS_PROXY, such as the AWS SDK for JavaScript v3 on Node 20, send
// their AWS requests through the iamwatch proxy. Only connections to AWS
// hosts are tunnelled; NO_PROXY is honoured; nothing else changes.
const http = require('http');
const https = require('https');
const tls = require('tls');

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
  const original = https.Agent.prototype.createConnection;
  https.Agent.prototype.createConnection = function createConnection(options, callback) {
    const host = options.host || options.hostname || options.servername;
    if (!isAWS(host) || bypassed(host) || typeof callback !== 'function') {
      return original.call(this, options, callback);
    }
    const port = options.port || 443;
    const target = `${host}:${port}`;
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
      callback(null, tls.connect({ ...options, socket, servername: options.servername || host }));
    });
    req.once('error', (err) => callback(err));
    req.end();
    return undefined;
  };
}
