#!/usr/bin/env node
// HTML report benchmark (not a test). Needs `npm run build`.
// Renders a synthetic doctor run of N partners (a check-dns and a probe target each, with
// findings, evidence and timings, plus an AXL and a diagnosis target) through renderRun('html')
// (redaction included), and prints the time per render, per target, and the size of the file.
// Usage: node bench/html.mjs [partners=500] [rounds=5]
const root = new URL('..', import.meta.url).pathname;
const { renderRun } = await import(`${root}dist/src/report/output.js`);

const N = Number(process.argv[2] ?? 500);
const ROUNDS = Number(process.argv[3] ?? 5);
const finding = (id, severity, target, n) => ({
  id,
  severity,
  title: `${id} on ${target}`,
  detail: 'A sentence or two of why it matters, as the catalogue writes it, with `code` in it.',
  evidence: Array.from({ length: n }, (_, i) => ({ label: 'SRV', value: `_xmpp-server._tcp.${target}. 300 IN SRV 5 0 5269 xmpp${i}.${target}.`, source: '192.0.2.53:53' })),
  fix: '1. Do this.\n2. Then that.',
  target,
  references: ['https://www.rfc-editor.org/rfc/rfc6120.html#section-13.7.1.2', 'https://xmpp.org/extensions/xep-0220.html'],
});
const targets = [];
for (let i = 0; i < N; i++) {
  const d = `partner${i}.example`;
  const records = [0, 1].map((k) => ({ service: 'xmpp-server', target: `xmpp${k}.${d}`, port: 5269, priority: k, weight: 0, ttl: 300, tls: 'starttls', rank: k + 1, share: 1, addresses: [{ address: '192.0.2.1', family: 4, ttl: 300, class: 'public' }], resolvable: true }));
  targets.push({ target: d, verdict: 'warning', findings: [finding('dns.srv.target-cname', 'warning', d, 2), finding('dns.srv.ok', 'info', d, 2)], timings: { dns: 20 }, data: { check: 'dns', dns: { domain: d, resolver: '192.0.2.53:53', services: [{ service: 'xmpp-server', name: `_xmpp-server._tcp.${d}`, rcode: 'NOERROR', records }] } } });
  targets.push({ target: d, verdict: 'error', findings: [finding('probe.cert.name-mismatch', 'error', d, 2), finding('probe.dialback.invalid', 'error', d, 3)], timings: { dns: 30, tcp: 12, stream: 9, tls: 80, features: 10, dialback: 5 }, data: { check: 'probe', probe: { peer: d, attempts: [{ host: `xmpp0.${d}`, address: '192.0.2.1', port: 5269, tls: 'starttls', source: 'srv', ok: true, ms: 12 }], connected: { host: `xmpp0.${d}`, address: '192.0.2.1', port: 5269, tls: 'starttls' }, tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', chain: [{ subject: `CN=xmpp0.${d}`, notAfter: '2027-01-01T00:00:00.000Z', daysLeft: 33 }] }, dialback: { outcome: 'invalid', key: 'xep-0220' } } } });
}
targets.push({ target: '192.0.2.10:8443', verdict: 'error', findings: [finding('axl.auth.failed', 'error', 'imp', 3)], timings: { axl: 100 }, data: { check: 'axl', axl: { url: 'https://192.0.2.10:8443/axl/', endpoint: { display: '192.0.2.10:8443' }, user: 'expc' } } });
const run = { schema: 1, tool: 'xfed', version: '0.1.0', command: 'doctor', startedAt: new Date().toISOString(), durationMs: 1, options: { domains: ['acme.example'] }, targets, summary: { targets: targets.length, errors: 0, warnings: 0, info: 0 }, exitCode: 1 };

const o = { strict: false, verbose: false, quiet: false, color: false };
let html = await renderRun('html', run, o); // warm-up
const times = [];
for (let r = 0; r < ROUNDS; r++) {
  const t0 = process.hrtime.bigint();
  html = await renderRun('html', run, o);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`html report: ${N} partners, ${targets.length} targets, ${targets.reduce((n, t) => n + t.findings.length, 0)} findings`);
console.log(`  render (redaction included): median ${median.toFixed(1)} ms over ${ROUNDS} rounds (${((median / targets.length) * 1000).toFixed(0)} µs per target)`);
console.log(`  file: ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(2)} MiB (${(Buffer.byteLength(html) / targets.length / 1024).toFixed(1)} KiB per target)`);
console.log(`  heap used after: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`);
