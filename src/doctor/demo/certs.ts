/**
 * Certificates for the demo deployment, generated in JavaScript (node:crypto keys and
 * signatures, DER from @peculiar/asn1-x509, the parser xfed already uses to read certificate
 * names) so that `xfed doctor --demo` needs no openssl binary and no certificate library of its
 * own, and works the same on Linux, macOS and Windows. ECDSA P-256 keys: fast to generate,
 * accepted by every TLS stack.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_CN = '2.5.4.3';
const DAY = 86_400_000;

export interface Pem {
  key: string;
  cert: string;
}

export interface DemoPki {
  ca: Pem;
  /** Issues a leaf certificate signed by the demo CA. */
  issue(spec: { cn: string; dns?: string[]; ips?: string[]; days?: number }): Promise<Pem>;
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
}

function serial(): ArrayBuffer {
  // A positive 64-bit serial number (RFC 5280 §4.1.2.2): a leading 0x01 keeps it positive.
  return new Uint8Array([1, ...randomBytes(8)]).buffer;
}

function cn(value: string): Name {
  return new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: OID_CN, value: new AttributeValue({ utf8String: value }) })])]);
}

function ext(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** The key identifier of RFC 5280 §4.2.1.2 (1): SHA-1 of the subjectPublicKey bits. */
function keyId(spki: SubjectPublicKeyInfo): ArrayBuffer {
  const digest = createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest();
  return new Uint8Array(digest).buffer;
}

interface Keys {
  privateKey: KeyObject;
  spki: SubjectPublicKeyInfo;
}

function newKeys(): Keys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, spki: AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo) };
}

interface CertSpec {
  subject: Name;
  issuer: Name;
  keys: Keys;
  signer: Keys;
  notBefore: Date;
  notAfter: Date;
  extensions: Extension[];
}

/** A DER certificate signed with the signer's key (ECDSA with SHA-256). */
function makeCert(s: CertSpec): Uint8Array {
  const alg = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature: alg,
    issuer: s.issuer,
    validity: new Validity({ notBefore: s.notBefore, notAfter: s.notAfter }),
    subject: s.subject,
    subjectPublicKeyInfo: s.keys.spki,
    extensions: new Extensions(s.extensions),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), { key: s.signer.privateKey, dsaEncoding: 'der' });
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: alg, signatureValue: new Uint8Array(signature).buffer });
  return new Uint8Array(AsnConvert.serialize(cert));
}

function keyPem(k: Keys): string {
  return k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export async function makeDemoPki(name = 'xfed demo CA'): Promise<DemoPki> {
  const now = Date.now();
  const caKeys = newKeys();
  const caName = cn(name);
  const caCert = makeCert({
    subject: caName,
    issuer: caName,
    keys: caKeys,
    signer: caKeys,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    extensions: [
      ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(caKeys.spki))),
    ],
  });
  const ca: Pem = { key: keyPem(caKeys), cert: pem('CERTIFICATE', caCert) };
  return {
    ca,
    async issue(spec) {
      const keys = newKeys();
      const names = [...(spec.dns ?? []).map((dNSName) => new GeneralName({ dNSName })), ...(spec.ips ?? []).map((iPAddress) => new GeneralName({ iPAddress }))];
      const cert = makeCert({
        subject: cn(spec.cn),
        issuer: caName,
        keys,
        signer: caKeys,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + (spec.days ?? 30) * DAY),
        extensions: [
          ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
          ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
          ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth, id_kp_clientAuth])),
          ...(names.length ? [ext(id_ce_subjectAltName, false, new SubjectAlternativeName(names))] : []),
          ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(caKeys.spki)) })),
        ],
      });
      return { key: keyPem(keys), cert: pem('CERTIFICATE', cert) };
    },
  };
}
