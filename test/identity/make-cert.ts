/**
 * Certificates with arbitrary identifiers, built at test time with @peculiar/x509 (hostile
 * names openssl's config syntax cannot express: NUL, full-width letters, `/` in an SRVName).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, OtherName, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface HostileNames {
  cn?: string;
  dns?: string[];
  xmppAddrs?: string[];
  srvNames?: string[];
}

/** One DER TLV: UTF8String (0x0c) or IA5String (0x16), short or long length. */
function derString(tag: number, value: string): ArrayBuffer {
  const body = Buffer.from(value, 'utf8');
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 255]);
  const out = Buffer.concat([Buffer.from([tag]), len, body]);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
}

let keys: webcrypto.CryptoKeyPair | undefined;

/** A self-signed certificate (DER) with exactly these names. */
export async function certWith(n: HostileNames): Promise<Uint8Array> {
  keys ??= (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = [
    ...(n.dns ?? []).map((v) => new GeneralName({ dNSName: v })),
    ...(n.xmppAddrs ?? []).map((v) => new GeneralName({ otherName: new OtherName({ typeId: '1.3.6.1.5.5.7.8.5', value: derString(0x0c, v) }) })),
    ...(n.srvNames ?? []).map((v) => new GeneralName({ otherName: new OtherName({ typeId: '1.3.6.1.5.5.7.8.7', value: derString(0x16, v) }) })),
  ];
  const extensions = names.length ? [new x509.Extension(id_ce_subjectAltName, false, AsnConvert.serialize(new SubjectAlternativeName(names)))] : [];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: new x509.Name([{ '2.5.4.3': [{ utf8String: n.cn ?? 'hostile test' }] }]),
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions,
  });
  return new Uint8Array(cert.rawData);
}
