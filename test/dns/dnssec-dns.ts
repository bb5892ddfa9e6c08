/**
 * A DNSSEC lab for the check-dns and probe tests, built at test time from Debian's ldnsutils:
 *
 * - an authoritative unbound on 127.0.14.53:53 serving a signed root zone `.` (so that `. SOA`
 *   validates) that delegates `signed.xfed` (signed, DS in the root), `expired.xfed` (signed with
 *   signatures that expired in 2020: bogus) and `unsigned.xfed` (no DS: insecure);
 * - a validating unbound on 127.0.14.54:53 (module validator, trust anchor = the test root's
 *   DNSKEY; no domain-insecure) that asks the authoritative one.
 *
 * The authoritative server does not validate: asked directly it is the "resolver that does not
 * validate". Keys are made with ldns-keygen on first use (nothing private is committed); zones
 * are re-signed when their content changes or the signatures are older than a day.
 * TLSA data of the lab servers' certificates (test/lab) is written into signed.xfed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, labDir, refuseInUnitRun, registerStop, sleep, waitForDns, withLock } from '../helpers/servers.js';

export const AUTH_ADDR = '127.0.14.53';
export const VALIDATOR_ADDR = '127.0.14.54';

export interface DnssecLab {
  /** The validating resolver (`--resolver`). */
  validator: string;
  /** The authoritative server: answers without AD (a resolver that does not validate). */
  plain: string;
  dir: string;
}

export interface TlsaData {
  /** `3 1 1` data matching Prosody's a.test certificate. */
  okEe: string;
  /** `3 1 1` data of another key. */
  wrongEe: string;
  /** `2 0 1` data of the lab CA certificate (ejabberd's issuer). */
  labCaTa: string;
  /** `2 0 0` data of the lab CA certificate: its whole DER (the trust anchor in DNS). */
  labCaFull: string;
  /** `3 1 1` data of the hosting provider's certificate (Prosody's hosted domains; names only xmpp-a.test). */
  providerEe: string;
}

/** `3 1 1` data of a PEM certificate: SHA-256 of its SubjectPublicKeyInfo. */
export function spkiSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** `x 0 1` data of a PEM certificate: SHA-256 of its DER. */
export function certSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

const SOA = '@ IN SOA ns.xfed-lab. hostmaster.xfed-lab. 1 3600 600 86400 300\n@ IN NS ns.xfed-lab.\n';

function signedZone(t: TlsaData): string {
  return `$ORIGIN signed.xfed.\n$TTL 300\n${SOA}
_xmpp-server._tcp IN SRV 0 0 5269 ok.signed.xfed.
ok IN A 127.0.0.2
_5269._tcp.ok IN TLSA 3 1 1 ${t.okEe}
bad IN A 127.0.0.2
_5269._tcp.bad IN TLSA 3 1 1 ${t.wrongEe}
ta IN A 127.0.0.3
_5269._tcp.ta IN TLSA 2 0 1 ${t.labCaTa}
tap IN A 127.0.0.2
_5269._tcp.tap IN TLSA 2 0 1 ${t.labCaTa}
ta0 IN A 127.0.0.2
_5269._tcp.ta0 IN TLSA 2 0 0 ${t.labCaFull}
_xmpp-server._tcp.mal IN SRV 0 0 5269 mal.signed.xfed.
mal IN A 127.0.0.2
_5269._tcp.mal IN TLSA 3 1 1 ${t.okEe.slice(0, 40)}
_5269._tcp.mal IN TYPE52 \\# 2 0301
_xmpp-server._tcp.hosted IN SRV 0 0 5269 prov.signed.xfed.
prov IN A 127.0.0.2
_5269._tcp.prov IN TLSA 3 1 1 ${t.providerEe}
`;
}

const EXPIRED_ZONE = `$ORIGIN expired.xfed.\n$TTL 300\n${SOA}
_xmpp-server._tcp IN SRV 0 0 5269 xmpp.expired.xfed.
xmpp IN A 127.0.0.2
`;

const UNSIGNED_ZONE = `$ORIGIN unsigned.xfed.\n$TTL 300\n${SOA}
_xmpp-server._tcp IN SRV 0 0 5269 xmpp.unsigned.xfed.
xmpp IN A 127.0.0.2
_5269._tcp.xmpp IN TLSA 3 1 1 ${'ab'.repeat(32)}
`;

function rootZone(ds: Record<string, string>): string {
  return `$ORIGIN .\n$TTL 300
. IN SOA ns.xfed-lab. hostmaster.xfed-lab. 1 3600 600 86400 300
. IN NS ns.xfed-lab.
ns.xfed-lab. IN A ${AUTH_ADDR}
signed.xfed. IN NS ns.xfed-lab.
${ds['signed.xfed']}
expired.xfed. IN NS ns.xfed-lab.
${ds['expired.xfed']}
unsigned.xfed. IN NS ns.xfed-lab.
`;
}

/** The KSK of `zone` in `dir` (made on first use): its file base name. */
function key(dir: string, zone: string): string {
  const prefix = `K${zone === '.' ? '' : zone}.+013+`;
  const existing = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.private'));
  if (existing) return existing.replace(/\.private$/, '');
  return execFileSync('ldns-keygen', ['-k', '-a', 'ECDSAP256SHA256', zone], { cwd: dir }).toString().trim();
}

const DAY = 86_400_000;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Writes `name.zone` and signs it to `name.zone.signed` unless the content is unchanged and
 * the signature younger than a day. `expired`: signatures valid 2019..2020 only.
 */
function sign(dir: string, file: string, text: string, k: string, expired = false): string {
  const src = join(dir, file);
  const out = `${src}.signed`;
  const fresh = existsSync(out) && existsSync(src) && readFileSync(src, 'utf8') === text && Date.now() - statSync(out).mtimeMs < DAY;
  if (fresh) return out;
  writeFileSync(src, text);
  const now = Date.now();
  const [inception, expiration] = expired ? ['20190101000000', '20200101000000'] : [stamp(new Date(now - DAY)), stamp(new Date(now + 30 * DAY))];
  execFileSync('ldns-signzone', ['-i', inception, '-e', expiration, '-f', out, src, k], { cwd: dir, stdio: 'pipe' });
  // ldns prints a TLSA rdata too short to be one as "TLSA 3 1": put it back in RFC 3597 form, which unbound reads.
  writeFileSync(out, readFileSync(out, 'utf8').replace(/\tTLSA\t3 1\n/g, '\tTYPE52\t\\# 2 0301\n'));
  return out;
}

function unboundConf(dir: string, name: string, lines: string[]): string {
  const d = join(dir, name);
  return ['server:', `  directory: "${dir}"`, `  pidfile: "${d}.pid"`, `  logfile: "${d}.log"`, '  do-daemonize: no', '  username: ""', '  chroot: ""', '  use-syslog: no', '  num-threads: 1', '  so-reuseport: no', '  access-control: 127.0.0.0/8 allow', '  qname-minimisation: no', ...lines, ''].join('\n');
}

async function ensureUnbound(dir: string, name: string, conf: string, addr: string, files: string[]): Promise<void> {
  const confFile = join(dir, `${name}.conf`);
  const pidFile = join(dir, `${name}.pid`);
  const started = join(dir, `${name}.started`);
  const prev = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  const same = existsSync(confFile) && readFileSync(confFile, 'utf8') === conf && existsSync(started) && files.every((f) => statSync(f).mtimeMs < Number(readFileSync(started, 'utf8')));
  if (prev && isAlive(prev) && same) return;
  if (prev && isAlive(prev)) {
    process.kill(prev, 'SIGTERM');
    for (let i = 0; i < 100 && isAlive(prev); i++) await sleep(50);
  }
  writeFileSync(confFile, conf);
  execFileSync('unbound-checkconf', [confFile], { stdio: 'pipe' });
  const child = spawn('unbound', ['-d', '-c', confFile], { detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  writeFileSync(started, String(Date.now()));
  registerStop(`dnssec-${name}`, `kill $(cat '${pidFile}') 2>/dev/null; true\n`);
  await waitForDns(addr, 53, '.');
}

/** Starts (or reuses) the authoritative and the validating unbound. */
export async function startDnssecLab(tlsa: TlsaData): Promise<DnssecLab> {
  refuseInUnitRun('unbound (DNSSEC lab)');
  return withLock('dnssec-lab', async () => {
    const dir = labDir('dnssec');
    const keys = { root: key(dir, '.'), signed: key(dir, 'signed.xfed'), expired: key(dir, 'expired.xfed') };
    const ds = (k: string) => readFileSync(join(dir, `${k}.ds`), 'utf8').trim();
    const files = {
      signed: sign(dir, 'signed.xfed.zone', signedZone(tlsa), keys.signed),
      expired: sign(dir, 'expired.xfed.zone', EXPIRED_ZONE, keys.expired, true),
      unsigned: join(dir, 'unsigned.xfed.zone'),
      root: '',
    };
    if (!existsSync(files.unsigned) || readFileSync(files.unsigned, 'utf8') !== UNSIGNED_ZONE) writeFileSync(files.unsigned, UNSIGNED_ZONE);
    files.root = sign(dir, 'root.zone', rootZone({ 'signed.xfed': ds(keys.signed), 'expired.xfed': ds(keys.expired) }), keys.root);
    const zones: Array<[string, string]> = [['.', files.root], ['signed.xfed.', files.signed], ['expired.xfed.', files.expired], ['unsigned.xfed.', files.unsigned]];
    const auth = unboundConf(dir, 'auth', [
      `  interface: ${AUTH_ADDR}`,
      '  port: 53',
      '  module-config: "iterator"',
      '  do-not-query-address: 0.0.0.0/0',
      '  do-not-query-address: ::/0',
      ...zones.flatMap(([name, file]) => ['auth-zone:', `  name: "${name}"`, `  zonefile: "${file}"`, '  for-downstream: yes', '  for-upstream: no', '  fallback-enabled: no']),
    ]);
    await ensureUnbound(dir, 'auth', auth, AUTH_ADDR, zones.map(([, f]) => f));
    // The trust anchor: the test root's KSK (DNSKEY), as a real resolver holds the IANA root's.
    const anchor = join(dir, 'root.anchor');
    const dnskey = readFileSync(join(dir, `${keys.root}.key`), 'utf8');
    if (!existsSync(anchor) || readFileSync(anchor, 'utf8') !== dnskey) writeFileSync(anchor, dnskey);
    const validator = unboundConf(dir, 'validator', [
      `  interface: ${VALIDATOR_ADDR}`,
      '  port: 53',
      '  module-config: "validator iterator"',
      `  trust-anchor-file: "${anchor}"`,
      '  do-not-query-localhost: no',
      '  val-log-level: 2',
      '  val-bogus-ttl: 5',
      '  harden-referral-path: no',
      'stub-zone:',
      '  name: "."',
      `  stub-addr: ${AUTH_ADDR}`,
    ]);
    await ensureUnbound(dir, 'validator', validator, VALIDATOR_ADDR, [anchor, ...zones.map(([, f]) => f)]);
    return { validator: `${VALIDATOR_ADDR}:53`, plain: `${AUTH_ADDR}:53`, dir };
  });
}
