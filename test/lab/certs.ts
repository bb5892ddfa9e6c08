/**
 * Test certificates, generated at test time with openssl: a lab CA and leaf certificates
 * with the XMPP identifiers (dNSName, XmppAddr and SRVName otherNames), or deliberately
 * wrong ones (wrong name, expired, self-signed). ECDSA P-256 keys: a few ms each.
 * (@peculiar/x509 could generate them too, but it needs a reflect-metadata polyfill to load.)
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  key: string;
  cert: string;
}

export interface LeafSpec {
  cn: string;
  dns?: string[];
  xmppAddrs?: string[];
  srvNames?: string[];
  /** openssl ca date form YYYYMMDDHHMMSSZ; default: yesterday .. in a year. */
  notBefore?: Date;
  notAfter?: Date;
  /** extendedKeyUsage (default serverAuth,clientAuth; '' for none). */
  eku?: string;
}

export interface Ca extends Pem {
  dir: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** A CA in `dir` (created if needed; a temporary directory by default). */
export function makeCa(dir = mkdtempSync(join(tmpdir(), 'xfed-ca-')), name = 'xfed lab CA'): Ca {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]', 'default_ca = lab',
      '[lab]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts', 'serial = $dir/serial',
      'certificate = $dir/ca.pem', 'private_key = $dir/ca.key', 'default_md = sha256', 'policy = any', 'unique_subject = no',
      'copy_extensions = copy', 'email_in_dn = no',
      '[any]', 'commonName = supplied',
      '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', `CN = ${name}`,
      '[v3_ca]', 'basicConstraints = critical,CA:true', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash',
      '',
    ].join('\n'),
  );
  openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-config', 'ca.cnf', '-extensions', 'v3_ca'], dir);
  return { dir, cert: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
}

/** A leaf certificate signed by `ca`, or self-signed without one. */
export function makeLeaf(spec: LeafSpec, ca?: Ca): Pem {
  const work = mkdtempSync(join(tmpdir(), 'xfed-leaf-'));
  try {
    const san = [
      ...(spec.dns ?? []).map((d) => `DNS:${d}`),
      ...(spec.xmppAddrs ?? []).map((v) => `otherName:1.3.6.1.5.5.7.8.5;UTF8:${v}`),
      ...(spec.srvNames ?? []).map((v) => `otherName:1.3.6.1.5.5.7.8.7;IA5STRING:${v}`),
    ];
    writeFileSync(
      join(work, 'leaf.cnf'),
      [
        '[req]', 'distinguished_name = dn', 'prompt = no', 'req_extensions = ext', `[dn]`, `CN = ${spec.cn}`,
        '[ext]', 'basicConstraints = CA:false', ...(spec.eku === '' ? [] : [`extendedKeyUsage = ${spec.eku ?? 'serverAuth,clientAuth'}`]), ...(san.length ? [`subjectAltName = ${san.join(',')}`] : []),
        '',
      ].join('\n'),
    );
    const notBefore = spec.notBefore ?? new Date(Date.now() - 86_400_000);
    const notAfter = spec.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-config', 'leaf.cnf'], work);
    if (ca) {
      openssl(['ca', '-batch', '-notext', '-config', join(ca.dir, 'ca.cnf'), '-in', 'leaf.csr', '-out', 'leaf.pem', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)], work);
    } else {
      // Self-signed: the CA tool with -selfsign signs the request with its own key.
      writeFileSync(join(work, 'index.txt'), '');
      writeFileSync(join(work, 'serial'), '1000\n');
      mkdirSync(join(work, 'newcerts'));
      writeFileSync(
        join(work, 'self.cnf'),
        ['[ca]', 'default_ca = s', '[s]', `dir = ${work}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts', 'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'copy_extensions = copy', 'unique_subject = no', '[any]', 'commonName = supplied', ''].join('\n'),
      );
      openssl(['ca', '-batch', '-notext', '-selfsign', '-config', 'self.cnf', '-keyfile', 'leaf.key', '-in', 'leaf.csr', '-out', 'leaf.pem', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)], work);
    }
    return { cert: readFileSync(join(work, 'leaf.pem'), 'utf8'), key: readFileSync(join(work, 'leaf.key'), 'utf8') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The DER bytes of a PEM certificate. */
export function der(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

/**
 * An intermediate CA signed by `root`, with the given validity (e.g. already expired): its
 * leaves chain leaf -> intermediate -> root; a server sends `leaf.cert + intermediate.cert`.
 */
export function makeIntermediate(root: Ca, dates: { notBefore?: Date; notAfter?: Date } = {}, name = 'xfed lab intermediate CA'): Ca {
  const ca = makeCa(undefined, name);
  const notBefore = dates.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = dates.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  openssl(['req', '-new', '-key', 'ca.key', '-out', 'ca.csr', '-config', 'ca.cnf'], ca.dir);
  openssl(['ca', '-batch', '-notext', '-config', join(root.dir, 'ca.cnf'), '-extensions', 'v3_ca', '-in', join(ca.dir, 'ca.csr'), '-out', join(ca.dir, 'ca.pem'), '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)], ca.dir);
  return { ...ca, cert: readFileSync(join(ca.dir, 'ca.pem'), 'utf8') };
}
