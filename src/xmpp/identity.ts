/**
 * Is this certificate valid for this XMPP domain? (RFC 6120 §13.7.1.2, RFC 9525 which
 * obsoletes RFC 6125, RFC 7590 §3.2 for XMPP's identifier types.)
 * The reference identity is the source domain, never the SRV target (RFC 7712 needs POSH or
 * DANE for that). Accepted: SRV-ID `_xmpp-server.<domain>` (RFC 4985 SRVName), XmppAddr
 * (id-on-xmppAddr), DNS-ID with a wildcard only as the whole left-most label. The subject CN
 * is only looked at when the certificate has no identifier of those types (legacy, flagged).
 * Names come from node's own SAN text when it is unambiguous, else from @peculiar/asn1-x509
 * (otherName values node cannot print, escaped values).
 * Comparison (RFC 9525 §6.3, §7.2): both names are turned into A-labels under strict host-name
 * syntax (src/dns/idna.ts: no URL parsing, no compatibility mapping), then compared octet for
 * octet after ASCII case folding. A presented name that is not a valid host name (`/`, `?`, `#`,
 * `\`, NUL, space, full-width letters...) never matches.
 */
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { hostnameToAscii } from '../dns/idna.js';
import type * as AsnSchema from '@peculiar/asn1-schema';
import type * as AsnX509 from '@peculiar/asn1-x509';

// The ASN.1 libraries cost ~70 ms of start-up: loaded only when node's own SAN text is ambiguous.
const lazyRequire = createRequire(import.meta.url);

export const OID_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
export const OID_SRV_NAME = '1.3.6.1.5.5.7.8.7';

export interface CertNames {
  dnsNames: string[];
  xmppAddrs: string[];
  /** SRVName values, e.g. `_xmpp-server.example.com`. */
  srvNames: string[];
  ipAddresses: string[];
  /** Subject common name(s). */
  cns: string[];
}

export type MatchMethod = 'srv-id' | 'xmpp-addr' | 'dns-id' | 'dns-wildcard' | 'cn';

export interface IdentityMatch {
  matched: boolean;
  method?: MatchMethod;
  /** The presented identifier that matched. */
  name?: string;
}

/** Reads the identifiers of a DER certificate. Throws on a certificate it cannot parse. */
export function certNames(der: Uint8Array): CertNames {
  return namesFromNode(new X509Certificate(der)) ?? certNamesAsn1(der);
}

const SAN_PREFIX: Array<[string, keyof CertNames]> = [
  ['DNS:', 'dnsNames'],
  ['othername:XmppAddr:', 'xmppAddrs'],
  ['othername:SRVName:', 'srvNames'],
  ['IP Address:', 'ipAddresses'],
];

/**
 * node >= 17.3 prints XmppAddr and SRVName in `subjectAltName` (OpenSSL's GENERAL_NAME_print
 * format). Used when unambiguous: no quoted (escaped) value, only these name types.
 */
function namesFromNode(x: X509Certificate): CertNames | undefined {
  const out: CertNames = { dnsNames: [], xmppAddrs: [], srvNames: [], ipAddresses: [], cns: [] };
  const subject = x.subject;
  // Quoted or backslash-escaped text (e.g. `\00` for a NUL) is not the value itself: read the DER instead.
  if (subject.includes('"') || subject.includes('\\')) return undefined;
  for (const line of subject.split('\n')) if (line.startsWith('CN=')) out.cns.push(line.slice(3));
  const san = x.subjectAltName;
  if (!san) return out;
  if (san.includes('"') || san.includes('\\')) return undefined;
  for (const item of san.split(', ')) {
    const hit = SAN_PREFIX.find(([p]) => item.startsWith(p));
    if (!hit) return undefined;
    out[hit[1]].push(item.slice(hit[0].length));
  }
  return out;
}

/** The same with a real ASN.1 parser (@peculiar/asn1-x509), for anything node prints ambiguously. */
export function certNamesAsn1(der: Uint8Array): CertNames {
  const { AsnConvert } = lazyRequire('@peculiar/asn1-schema') as typeof AsnSchema;
  const { Certificate, SubjectAlternativeName, id_ce_subjectAltName } = lazyRequire('@peculiar/asn1-x509') as typeof AsnX509;
  const out: CertNames = { dnsNames: [], xmppAddrs: [], srvNames: [], ipAddresses: [], cns: [] };
  const cert = AsnConvert.parse(der, Certificate);
  for (const rdn of cert.tbsCertificate.subject) {
    for (const atv of rdn) if (atv.type === '2.5.4.3') out.cns.push(atv.value.toString());
  }
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  if (!ext) return out;
  const san = AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName);
  for (const gn of san) {
    if (gn.dNSName !== undefined) out.dnsNames.push(gn.dNSName);
    else if (gn.iPAddress !== undefined) out.ipAddresses.push(gn.iPAddress);
    else if (gn.otherName) {
      const v = derString(new Uint8Array(gn.otherName.value));
      if (v === undefined) continue;
      if (gn.otherName.typeId === OID_XMPP_ADDR) out.xmppAddrs.push(v);
      else if (gn.otherName.typeId === OID_SRV_NAME) out.srvNames.push(v);
    }
  }
  return out;
}

/** Decodes one DER string TLV (UTF8String, IA5String, PrintableString...) with a short or long length. */
function derString(b: Uint8Array): string | undefined {
  if (b.length < 2) return undefined;
  let len = b[1]!;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || b.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[2 + i]!;
    off = 2 + n;
  }
  if (off + len > b.length) return undefined;
  return Buffer.from(b.subarray(off, off + len)).toString('utf8');
}

/** The comparison form of a name (A-labels, ASCII lower case), or undefined when it is not a valid host name. */
export function normalizeDomain(d: string): string | undefined {
  return hostnameToAscii(d);
}

/**
 * RFC 9525 §6.3: `*` only as the complete left-most label, matching exactly one non-empty label,
 * and at least two labels after it. Both arguments in comparison form (normalizeDomain).
 */
export function wildcardMatches(pattern: string, domain: string): boolean {
  const p = pattern.split('.');
  const d = domain.split('.');
  if (p[0] !== '*' || p.length < 3 || p.length !== d.length) return false;
  return p.slice(1).every((l, i) => l === d[i + 1]) && d[0]!.length > 0;
}

/** A DNS-ID against the reference: exact, or a wildcard `*.rest` where `rest` is a valid host name. */
function matchDnsId(presented: string, want: string): MatchMethod | undefined {
  if (presented.startsWith('*.')) {
    const rest = hostnameToAscii(presented.slice(2));
    return rest !== undefined && wildcardMatches(`*.${rest}`, want) ? 'dns-wildcard' : undefined;
  }
  return hostnameToAscii(presented) === want ? 'dns-id' : undefined;
}

/** Matches `domain` (the XMPP domain we wanted to reach) against a certificate's identifiers. */
export function matchIdentity(domain: string, names: CertNames): IdentityMatch {
  const want = normalizeDomain(domain.trim());
  if (want === undefined) return { matched: false };
  for (const s of names.srvNames) {
    // RFC 4985: `_Service.Name`; the service label compares case-insensitively, the name as a host name.
    const m = /^_xmpp-server\.(.+)$/i.exec(s);
    if (m && normalizeDomain(m[1]!) === want) return { matched: true, method: 'srv-id', name: s };
  }
  for (const x of names.xmppAddrs) {
    // RFC 7590: only a bare domain XmppAddr identifies a server (a local part or resource fails the host-name syntax).
    if (normalizeDomain(x) === want) return { matched: true, method: 'xmpp-addr', name: x };
  }
  for (const n of names.dnsNames) {
    const method = matchDnsId(n, want);
    if (method) return { matched: true, method, name: n };
  }
  const hasIds = names.srvNames.length + names.xmppAddrs.length + names.dnsNames.length > 0;
  if (!hasIds) {
    for (const cn of names.cns) if (normalizeDomain(cn) === want) return { matched: true, method: 'cn', name: cn };
  }
  return { matched: false };
}

export interface CertFacts {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Whole days left until notAfter (negative once expired). */
  daysLeft: number;
  sha256: string;
  keyType?: string;
  keyBits?: number;
  selfIssued: boolean;
  names?: CertNames;
}

export function certFacts(der: Uint8Array, now = Date.now()): CertFacts {
  const x = new X509Certificate(der);
  const notAfter = new Date(x.validTo);
  const facts: CertFacts = {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    serial: x.serialNumber,
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / 86_400_000),
    sha256: x.fingerprint256,
    selfIssued: x.subject === x.issuer,
  };
  const k = x.publicKey;
  if (k.asymmetricKeyType) facts.keyType = k.asymmetricKeyType;
  const d = k.asymmetricKeyDetails;
  if (d?.modulusLength) facts.keyBits = d.modulusLength;
  else if (d?.namedCurve) facts.keyType = `${k.asymmetricKeyType} ${d.namedCurve}`;
  try {
    facts.names = certNames(der);
  } catch {
    // Facts without names: the identity check reports the certificate as unparseable.
  }
  return facts;
}
