/**
 * Hostile peers, in this process (or a child of it) on loopback: a zone with 50 SRV targets
 * whose ports never complete a TCP handshake, 30 copies of one A record, 20 addresses for one
 * target. The probe of one peer is bounded by its deadline and its caps, whatever DNS says.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import dns2 from 'dns2';
import type { ZoneRecord } from '../../src/doctor/demo/dns.js';
import { probeDeadline } from '../../src/probe/observe.js';
import { probePeer } from '../../src/probe/probe.js';
import { json, xfed } from '../helpers/cli.js';

/**
 * A child process listens on `n` ports with a backlog of 1 and then blocks its event loop, so
 * it never accepts: once each backlog is full, the kernel drops SYNs and connect() stalls.
 */
const STALLER = `
const net = require('node:net');
const n = Number(process.argv[1]);
const ports = [];
for (let i = 0; i < n; i++) {
  const s = net.createServer();
  s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    ports.push(s.address().port);
    if (ports.length === n) process.stdout.write(JSON.stringify(ports) + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000));
  });
}`;

/** An authoritative DNS server over TCP only (50 SRV records do not fit a UDP answer); unknown names: NXDOMAIN. */
async function tcpDns(zone: ZoneRecord[]): Promise<{ resolver: string; close(): Promise<void> }> {
  const { Packet } = dns2;
  const server = dns2.createTCPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    const q = request.questions[0]!;
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const here = zone.filter((r) => r.name === name);
    for (const r of here) {
      const base = { name: r.name, class: Packet.CLASS.IN, ttl: 60 };
      if (r.type === 'A' && q.type === Packet.TYPE.A) response.answers.push({ ...base, type: Packet.TYPE.A, address: r.address } as never);
      if (r.type === 'SRV' && q.type === Packet.TYPE.SRV) response.answers.push({ ...base, type: Packet.TYPE.SRV, priority: r.priority, weight: r.weight, port: r.port, target: r.target } as never);
    }
    if (!here.length) response.header.rcode = 3;
    send(response);
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { resolver: `127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let staller: ChildProcess;
let stallPorts: number[];
const fillers: Socket[] = [];
let dns: { resolver: string; close(): Promise<void> };
let refusedPort: number;

before(async () => {
  staller = spawn(process.execPath, ['-e', STALLER, '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
  stallPorts = await new Promise((resolve) => staller.stdout!.once('data', (d) => resolve(JSON.parse(String(d)))));
  // Fill every backlog: from now on a SYN to these ports gets no answer.
  for (const p of stallPorts) for (let i = 0; i < 4; i++) fillers.push(connect(p, '127.0.0.1').on('error', () => {}));
  await new Promise((r) => setTimeout(r, 300));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const zone: ZoneRecord[] = [
    ...stallPorts.flatMap((port, i): ZoneRecord[] => [
      { name: '_xmpp-server._tcp.stall.test', type: 'SRV', priority: i, weight: 0, port, target: `h${i}.stall.test` },
      { name: `h${i}.stall.test`, type: 'A', address: '127.0.0.1' },
    ]),
    { name: '_xmpp-server._tcp.dup.test', type: 'SRV', priority: 0, weight: 0, port: refusedPort, target: 'x.dup.test' },
    ...Array.from({ length: 30 }, (): ZoneRecord => ({ name: 'x.dup.test', type: 'A', address: '127.0.0.1' })),
    { name: '_xmpp-server._tcp.many.test', type: 'SRV', priority: 0, weight: 0, port: refusedPort, target: 'x.many.test' },
    ...Array.from({ length: 20 }, (_, i): ZoneRecord => ({ name: 'x.many.test', type: 'A', address: `127.0.3.${i + 1}` })),
  ];
  dns = await tcpDns(zone);
});

after(async () => {
  for (const s of fillers) s.destroy();
  staller?.kill('SIGKILL');
  await dns?.close();
});

const t = (ms: number) => ({ dns: ms, tcp: ms, stream: ms, tls: ms, dialback: ms });
const ids = (r: { findings: Array<{ severity: string; id: string }> }) => r.findings.map((f) => `${f.severity}:${f.id}`).sort();

describe('the probe of one peer is bounded', () => {
  it('50 SRV targets that stall: capped at 16, stopped at the default deadline (4 × 500 ms)', async () => {
    const t0 = performance.now();
    const r = await probePeer({ peer: 'stall.test', resolvers: [dns.resolver], dnsTcp: true, timeouts: t(500) });
    const ms = performance.now() - t0;
    assert.deepEqual(ids(r), ['error:probe.deadline.exceeded', 'warning:probe.targets.capped']);
    assert.ok(ms < 3500, `took ${Math.round(ms)} ms (sequential tries took 50 × the timeout)`);
    assert.equal(r.data.probe.deadlineMs, 2000);
    assert.deepEqual(r.data.probe.cut?.targets, { found: 50, kept: 16 });
    assert.equal(r.data.probe.cut?.deadline?.phase, 'tcp');
    assert.ok(r.data.probe.attempts.length > 4, 'stalled attempts overlap');
    assert.ok(r.data.probe.attempts.length <= 16);
    assert.equal(r.data.probe.attempts.at(-1)?.code, 'DEADLINE');
  });
  it('30 copies of one A record: tried once', async () => {
    const t0 = performance.now();
    const r = await probePeer({ peer: 'dup.test', resolvers: [dns.resolver], dnsTcp: true, timeouts: t(1000) });
    assert.deepEqual(ids(r), ['error:probe.tcp.refused']);
    assert.equal(r.data.probe.attempts.length, 1);
    assert.equal(r.data.probe.cut?.duplicates, 29);
    assert.ok(performance.now() - t0 < 2000);
  });
  it('20 addresses for one target: 16 tried, a warning says so', async () => {
    const r = await probePeer({ peer: 'many.test', resolvers: [dns.resolver], dnsTcp: true, timeouts: t(1000) });
    assert.deepEqual(ids(r), ['error:probe.tcp.refused', 'warning:probe.addresses.capped']);
    assert.equal(r.data.probe.attempts.length, 16);
    assert.deepEqual(r.data.probe.cut?.addresses, { found: 20, kept: 16 });
  });
  it('xfed probe --deadline: the whole run stops in time (exit 1, JSON)', async () => {
    const r = await xfed(['probe', 'stall.test', '--resolver', dns.resolver, '--dns-tcp', '--timeout', '1000', '--deadline', '700', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.ms < 3000, `took ${r.ms} ms`);
    const doc = json(r);
    assert.deepEqual(doc.targets[0].findings.map((f: { id: string }) => f.id).sort(), ['probe.deadline.exceeded', 'probe.targets.capped']);
    assert.equal(doc.targets[0].data.probe.deadlineMs, 700);
  });
});

describe('probeDeadline', () => {
  it('defaults to 4 × the longest phase timeout, so it scales with --timeout', () => {
    assert.equal(probeDeadline({ peer: 'x.test', timeouts: t(1000) }), 4000);
    assert.equal(probeDeadline({ peer: 'x.test', from: 'us.test', timeouts: { ...t(1000), dialback: 30_000 } }), 120_000);
    assert.equal(probeDeadline({ peer: 'x.test', deadline: 500 }), 500);
  });
  it('a bad deadline is an InputError named by its field', () => {
    assert.throws(() => probeDeadline({ peer: 'x.test', deadline: 0 }), (e: unknown) => e instanceof InputError && e.field === 'probe.deadline' && e.code === 'XFED_PROBE_DEADLINE');
  });
});
