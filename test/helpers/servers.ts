/**
 * Long-lived real servers for tests (unbound, Prosody, ejabberd...): started once,
 * shared by every test file, stopped by scripts/run-tests.mjs through the stop
 * scripts registered in `.lab/stop.d/`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const LAB = join(ROOT, '.lab');
export const FIXTURES = join(ROOT, 'fixtures');
export const XFED_BIN = join(ROOT, 'bin', 'xfed.js');

export function labDir(name: string): string {
  const dir = join(LAB, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a Debian binary is installed (tests that need it skip with a reason otherwise). */
export function hasBinary(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Cross-process lock (mkdir is atomic): test files run in parallel processes. */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(labDir('locks'), `${name}.lock`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * `npm run test:unit` runs only the files without `@needs-servers` (scripts/run-tests.mjs):
 * a file that starts a Debian server without saying so fails there, loudly.
 */
export function refuseInUnitRun(what: string): void {
  if (process.env.XFED_TEST_UNIT) throw new Error(`this test starts ${what}: mark its file with @needs-servers (first lines) so that test:unit leaves it out`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function registerStop(name: string, script: string): void {
  const dir = labDir('stop.d');
  writeFileSync(join(dir, `${name}.sh`), script);
}

export async function waitForTcp(host: string, port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host, port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${ms} ms`);
    await sleep(50);
  }
}

/** Sends one DNS query for `name`/SOA and resolves when any answer comes back. */
export async function waitForDns(host: string, port: number, name: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  const labels = name.replace(/\.$/, '').split('.');
  const q = Buffer.concat([
    Buffer.from([0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0, 0, 6, 0, 1]),
  ]);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      const t = setTimeout(() => (s.close(), resolve(false)), 300);
      s.once('message', () => (clearTimeout(t), s.close(), resolve(true)));
      s.once('error', () => (clearTimeout(t), s.close(), resolve(false)));
      s.send(q, port, host);
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no DNS answer from ${host}:${port} after ${ms} ms`);
    await sleep(100);
  }
}

export interface UnboundZone {
  name: string;
  file: string;
}

export interface UnboundInstance {
  address: string;
  port: number;
  /** `address:port`, as `--resolver` takes it. */
  resolver: string;
  log: string;
}

/**
 * Starts (or reuses) an authoritative-only unbound on `address:port` serving `zones`.
 * It never recurses to the internet: everything outside the zones is REFUSED.
 */
export async function startUnbound(name: string, address: string, port: number, zones: UnboundZone[], extra = ''): Promise<UnboundInstance> {
  refuseInUnitRun('unbound');
  return withLock(`unbound-${name}`, async () => {
    const dir = labDir(`unbound-${name}`);
    const conf = join(dir, 'unbound.conf');
    const pidFile = join(dir, 'unbound.pid');
    const log = join(dir, 'unbound.log');
    const text = [
      'server:',
      `  interface: ${address}`,
      `  port: ${port}`,
      '  do-daemonize: no',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${pidFile}"`,
      `  logfile: "${log}"`,
      '  use-syslog: no',
      '  verbosity: 1',
      `  log-queries: ${process.env.XFED_UNBOUND_LOG_QUERIES === '0' ? 'no' : 'yes'}`,
      '  num-threads: 1',
      '  so-reuseport: no',
      '  access-control: 127.0.0.0/8 allow',
      '  access-control: ::1 allow',
      '  module-config: "iterator"',
      '  qname-minimisation: no',
      '  do-not-query-address: 0.0.0.0/0',
      '  do-not-query-address: ::/0',
      '  do-not-query-localhost: yes',
      '  local-zone: "." refuse',
      ...zones.map((z) => `  local-zone: "${z.name}" transparent`),
      extra,
      ...zones.flatMap((z) => ['auth-zone:', `  name: "${z.name}"`, `  zonefile: "${z.file}"`, '  for-downstream: yes', '  for-upstream: yes', '  fallback-enabled: no']),
      '',
    ].join('\n');
    const resolver = `${address}:${port}`;
    const prev = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    const same = existsSync(conf) && readFileSync(conf, 'utf8') === text;
    if (prev && isAlive(prev) && same && !zonesChangedSince(zones, join(dir, 'started'))) {
      return { address, port, resolver, log };
    }
    if (prev && isAlive(prev)) {
      process.kill(prev, 'SIGTERM');
      for (let i = 0; i < 100 && isAlive(prev); i++) await sleep(50);
    }
    writeFileSync(conf, text);
    execFileSync('unbound-checkconf', [conf], { stdio: 'pipe' });
    const child = spawn('unbound', ['-d', '-c', conf], { detached: true, stdio: 'ignore' });
    child.unref();
    writeFileSync(pidFile, String(child.pid));
    writeFileSync(join(dir, 'started'), String(Date.now()));
    registerStop(`unbound-${name}`, `kill $(cat '${pidFile}') 2>/dev/null; true\n`);
    await waitForDns(address, port, zones[0]?.name ?? '.');
    return { address, port, resolver, log };
  });
}

function zonesChangedSince(zones: UnboundZone[], stamp: string): boolean {
  if (!existsSync(stamp)) return true;
  const started = Number(readFileSync(stamp, 'utf8'));
  return zones.some((z) => !existsSync(z.file) || statSync(z.file).mtimeMs > started);
}
