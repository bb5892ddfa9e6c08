/**
 * The XMPP federation lab: real servers on loopback, shared by every test file.
 * - unbound on 127.0.0.10:53, authoritative for `test.` (fixtures/xmpp/lab-test.zone)
 * - Prosody for a.test (+ direct.test, wrong.test, expired.test, dead.test with a dead first SRV
 *   target, chain.test serving its leaf without the intermediate) on 127.0.0.2:5269, direct TLS 5270
 * - ejabberd for b.test on 127.0.0.3:5269, trusting the lab CA (ca_file): SASL EXTERNAL with a
 *   lab-signed certificate of ours succeeds, with an untrusted or a serverAuth-only one it fails
 * Both XMPP servers run in a private mount namespace whose /etc/resolv.conf points at the lab
 * DNS (ejabberd resolves SRV targets with libc; see shared/docs/real-xmpp-servers-in-tests.md).
 * Started once under a lock, reused while the config is unchanged, stopped via .lab/stop.d.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, hasBinary, isAlive, labDir, refuseInUnitRun, registerStop, sleep, startUnbound, waitForTcp, withLock } from '../helpers/servers.js';
import { makeCa, makeIntermediate, makeLeaf } from './certs.js';
import { ejabberdSecretFromCookie } from '../../src/xmpp/dialback.js';

export const LAB_DNS = '127.0.0.10:53';
export const PROSODY_ADDR = '127.0.0.2';
export const EJABBERD_ADDR = '127.0.0.3';
export const PROSODY_SECRET = 'xfed-lab-prosody-dialback-secret';
export const EJABBERD_COOKIE = 'xfedlabcookie';
/** ejabberd's dialback secret: hex(SHA-1(Erlang cookie)). */
export const EJABBERD_SECRET = ejabberdSecretFromCookie(EJABBERD_COOKIE);

export interface Lab {
  dir: string;
  resolver: string;
  caFile: string;
  /** The lab CA and its intermediate (chain.test's issuer), for --ca. */
  caWithIntermediateFile: string;
  /** Our certificates for a.test: CA-signed with clientAuth (a.test.crt), serverAuth only, untrusted CA. */
  certs: string;
  /** Files holding each server's dialback secret (for --secret-file). */
  prosodySecretFile: string;
  ejabberdSecretFile: string;
  prosodyLog: string;
  ejabberdLog: string;
}

/** Why the lab cannot run here, or undefined. */
export function labMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the XMPP lab needs root (mount namespace, runuser)';
  for (const b of ['unbound', 'prosody', 'ejabberdctl', 'unshare', 'runuser', 'openssl']) if (!hasBinary(b)) return `${b} is not installed (bash scripts/setup.sh)`;
  try {
    execFileSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  } catch {
    return 'no private mount namespaces here (unshare --mount needs CAP_SYS_ADMIN)';
  }
  return undefined;
}

const CERTS = [
  { name: 'a.test', spec: { cn: 'a.test', dns: ['a.test'], xmppAddrs: ['a.test'], srvNames: ['_xmpp-server.a.test'] } },
  { name: 'direct.test', spec: { cn: 'direct.test', dns: ['direct.test'] } },
  { name: 'wrong.test', spec: { cn: 'other.example', dns: ['other.example', 'xmpp-a.test'] } },
  { name: 'expired.test', spec: { cn: 'expired.test', dns: ['expired.test'], notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') } },
  { name: 'b.test', spec: { cn: 'b.test', dns: ['b.test'], xmppAddrs: ['b.test'] } },
  { name: 'dead.test', spec: { cn: 'dead.test', dns: ['dead.test'] } },
  // hosted.test: a hosting provider's certificate that names only the SRV target (POSH and DANE delegation).
  { name: 'provider', spec: { cn: 'xmpp-a.test', dns: ['xmpp-a.test'] } },
  // The HTTPS site of hosted.test (its POSH file; test/lab/delegation.test.ts).
  { name: 'hosted-web', spec: { cn: 'hosted.test', dns: ['hosted.test'] } },
  // Our certificates for SASL EXTERNAL as a.test against ejabberd (which trusts the lab CA): serverAuth only.
  // (dNSName only: ejabberd 23.01 crashes in xmpp_stream_pkix:get_cert_domains on an XmppAddr otherName.)
  { name: 'a-client', spec: { cn: 'a.test', dns: ['a.test'] } },
  { name: 'a-serveronly', spec: { cn: 'a.test', dns: ['a.test'], eku: 'serverAuth' } },
];

/** Bumped whenever the certificates change (the directory is reused across runs). */
const CERTS_VERSION = 'done-4';

function makeCerts(dir: string): void {
  const certDir = join(dir, 'certs');
  if (existsSync(join(certDir, CERTS_VERSION))) return;
  rmSync(certDir, { recursive: true, force: true });
  mkdirSync(certDir, { recursive: true });
  const ca = makeCa(join(certDir, 'ca'));
  writeFileSync(join(certDir, 'ca.pem'), ca.cert);
  for (const c of CERTS) {
    const pem = makeLeaf(c.spec, ca);
    writeFileSync(join(certDir, `${c.name}.crt`), pem.cert);
    writeFileSync(join(certDir, `${c.name}.key`), pem.key, { mode: 0o644 });
    writeFileSync(join(certDir, `${c.name}.pem`), pem.key + pem.cert, { mode: 0o644 });
  }
  // chain.test: a leaf signed by a lab intermediate; Prosody serves the leaf alone (no intermediate).
  const inter = makeIntermediate(ca, {}, 'xfed lab intermediate CA');
  const chain = makeLeaf({ cn: 'chain.test', dns: ['chain.test'] }, inter);
  writeFileSync(join(certDir, 'chain.test.crt'), chain.cert);
  writeFileSync(join(certDir, 'chain.test.key'), chain.key, { mode: 0o644 });
  writeFileSync(join(certDir, 'intermediate.pem'), inter.cert);
  // A certificate for a.test from a CA nobody in the lab trusts.
  const rogue = makeLeaf({ cn: 'a.test', dns: ['a.test'] }, makeCa(undefined, 'untrusted CA'));
  writeFileSync(join(certDir, 'a-untrusted.crt'), rogue.cert);
  writeFileSync(join(certDir, 'a-untrusted.key'), rogue.key, { mode: 0o644 });
  writeFileSync(join(certDir, CERTS_VERSION), '');
}

function prosodyConfig(dir: string): string {
  const certs = join(dir, 'certs');
  const host = (name: string, cert = name) => `VirtualHost "${name}"\n  ssl = { certificate = "${certs}/${cert}.crt"; key = "${certs}/${cert}.key" }\n`;
  return `-- xfed lab: Prosody for a.test (generated by test/lab/lab.ts)
pidfile = "${dir}/prosody/prosody.pid"
data_path = "${dir}/prosody/data"
log = { info = "${dir}/prosody/prosody.log" }
interfaces = { "${PROSODY_ADDR}" }
c2s_ports = { 15222 }
s2s_ports = { 5269 }
s2s_direct_tls_ports = { 5270 }
http_ports = { }
https_ports = { }
modules_enabled = { "tls"; "dialback"; "disco"; "posix" }
modules_disabled = { "c2s"; "offline" }
certificates = "${dir}/prosody/certs"
s2s_secure_auth = false
s2s_require_encryption = true
s2s_timeout = 10
dialback_secret = "${PROSODY_SECRET}"
unbound = { resolvconf = false; hoststxt = false; forward = "127.0.0.10@53"; options = { ["local-zone"] = "test. transparent" } }
${host('a.test')}${host('direct.test')}${host('wrong.test')}${host('expired.test')}${host('dead.test')}${host('chain.test')}${host('hosted.test', 'provider')}${host('hosted.signed.xfed', 'provider')}`;
}

function ejabberdConfig(dir: string): string {
  return `# xfed lab: ejabberd for b.test (generated by test/lab/lab.ts)
hosts: ["b.test"]
loglevel: info
certfiles:
  - "${dir}/certs/b.test.pem"
ca_file: "${dir}/certs/ca.pem"
s2s_use_starttls: required
s2s_dns_timeout: 5
s2s_max_retry_delay: 10
outgoing_s2s_timeout: 10
auth_method: [internal]
listen:
  - port: 5269
    ip: "${EJABBERD_ADDR}"
    module: ejabberd_s2s_in
    backlog: 128
    max_stanza_size: 524288
modules:
  mod_s2s_dialback: {}
  mod_disco: {}
`;
}

function spawnInLabNamespace(dir: string, name: string, command: string): number {
  // A private mount namespace in which /etc/resolv.conf is the lab's (the host's file is untouched).
  const script = `mount --bind '${dir}/resolv.conf' /etc/resolv.conf && exec ${command}`;
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  child.unref();
  writeFileSync(join(dir, `${name}.pgid`), String(child.pid));
  registerStop(`xmpp-lab-${name}`, `kill -TERM -$(cat '${dir}/${name}.pgid') 2>/dev/null; true\n`);
  return child.pid!;
}

async function ensure(dir: string, name: string, config: string, configFile: string, start: () => void, addr: string): Promise<void> {
  const pgidFile = join(dir, `${name}.pgid`);
  const pgid = existsSync(pgidFile) ? Number(readFileSync(pgidFile, 'utf8')) : 0;
  const same = existsSync(configFile) && readFileSync(configFile, 'utf8') === config;
  if (pgid && isAlive(pgid) && same) {
    try {
      await waitForTcp(addr, 5269, 200);
      return;
    } catch {
      // Up but not listening: restart below.
    }
  }
  if (pgid && isAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    for (let i = 0; i < 60 && isAlive(pgid); i++) await sleep(50);
  }
  // A server this lab did not start (another checkout's lab, with another CA) would answer in its
  // place and every certificate check would fail for a reason that has nothing to do with xfed.
  const taken = await waitForTcp(addr, 5269, 200).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`${addr}:5269 is already in use by a ${name} this lab did not start (another checkout's test lab? run its .lab/stop.d scripts)`);
  writeFileSync(configFile, config);
  start();
  await waitForTcp(addr, 5269, 20_000);
}

export async function startLab(): Promise<Lab> {
  refuseInUnitRun('the Prosody/ejabberd lab');
  const dns = await startUnbound('xmpp-lab', '127.0.0.10', 53, [{ name: 'test.', file: join(FIXTURES, 'xmpp', 'lab-test.zone') }]);
  return withLock('xmpp-lab', async () => {
    const dir = labDir('xmpp');
    makeCerts(dir);
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.10\n');
    writeFileSync(join(dir, 'certs', 'ca+intermediate.pem'), readFileSync(join(dir, 'certs', 'ca.pem'), 'utf8') + readFileSync(join(dir, 'certs', 'intermediate.pem'), 'utf8'));
    writeFileSync(join(dir, 'prosody.secret'), PROSODY_SECRET);
    writeFileSync(join(dir, 'ejabberd.secret'), EJABBERD_SECRET);

    // Prosody: runs as the prosody user, with only its own keys in its certificates directory.
    const p = join(dir, 'prosody');
    for (const d of [p, join(p, 'data'), join(p, 'certs')]) mkdirSync(d, { recursive: true });
    const prosodyUid = Number(execFileSync('id', ['-u', 'prosody']).toString());
    const prosodyGid = Number(execFileSync('id', ['-g', 'prosody']).toString());
    for (const d of [p, join(p, 'data')]) chownSync(d, prosodyUid, prosodyGid);
    // Direct TLS (5270) picks its certificate by SNI from this directory's index, not from the hosts' ssl options.
    for (const n of ['a.test', 'direct.test']) for (const ext of ['crt', 'key']) copyFileSync(join(dir, 'certs', `${n}.${ext}`), join(p, 'certs', `${n}.${ext}`));
    const prosodyCfg = join(p, 'prosody.cfg.lua');
    await ensure(dir, 'prosody', prosodyConfig(dir), prosodyCfg, () => spawnInLabNamespace(dir, 'prosody', `runuser -u prosody -- prosody --config '${prosodyCfg}' -F`), PROSODY_ADDR);

    // ejabberd: a fixed cookie (so a fixed dialback secret), no epmd, distribution on loopback.
    const e = join(dir, 'ejabberd');
    for (const d of [e, join(e, 'spool'), join(e, 'logs')]) mkdirSync(d, { recursive: true });
    const ejUid = Number(execFileSync('id', ['-u', 'ejabberd']).toString());
    const ejGid = Number(execFileSync('id', ['-g', 'ejabberd']).toString());
    for (const d of [e, join(e, 'spool'), join(e, 'logs')]) chownSync(d, ejUid, ejGid);
    writeFileSync(join(e, 'inetrc'), `{resolv_conf, ""}.\n{nameserver, {127,0,0,10}, 53}.\n{lookup, [dns]}.\n`);
    writeFileSync(
      join(e, 'ejabberdctl.cfg'),
      `ERLANG_NODE=xfedlab@localhost\nERL_OPTIONS="-setcookie ${EJABBERD_COOKIE}"\nERL_DIST_PORT=54269\nINET_DIST_INTERFACE=127.0.0.1\nEJABBERD_BYPASS_WARNINGS=true\n`,
    );
    const ejCfg = join(e, 'ejabberd.yml');
    await ensure(
      dir,
      'ejabberd',
      ejabberdConfig(dir),
      ejCfg,
      // runuser, not ejabberdctl's own `su -c` (as root), which puts the VM in a new session that the stop script's kill of the process group misses.
      () => spawnInLabNamespace(dir, 'ejabberd', `runuser -u ejabberd -- ejabberdctl --config-dir '${e}' --config '${ejCfg}' --ctl-config '${e}/ejabberdctl.cfg' --logs '${e}/logs' --spool '${e}/spool' foreground`),
      EJABBERD_ADDR,
    );
    return {
      dir,
      resolver: dns.resolver,
      caFile: join(dir, 'certs', 'ca.pem'),
      caWithIntermediateFile: join(dir, 'certs', 'ca+intermediate.pem'),
      certs: join(dir, 'certs'),
      prosodySecretFile: join(dir, 'prosody.secret'),
      ejabberdSecretFile: join(dir, 'ejabberd.secret'),
      prosodyLog: join(p, 'prosody.log'),
      ejabberdLog: join(e, 'logs', 'ejabberd.log'),
    };
  });
}
