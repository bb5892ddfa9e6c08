/**
 * Our certificate and private key (probe --cert/--key, doctor probe.cert_file/key_file):
 * the key only ever comes from a file; an encrypted key needs its passphrase from a file too.
 * Every problem is an InputError naming the file.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { FileContentError, InputError } from '../core/errors.js';
import { PEM_MAX_BYTES, readPemFile, readSecretFile, readText } from './index.js';

export interface CertKeyFields {
  cert: string;
  key: string;
  pass: string;
}

export interface CertKey {
  cert: string;
  key: string;
  passphrase?: string;
}

/** Reads and checks a certificate (leaf first) and its key: readable, parseable, decryptable, a pair. */
export async function readCertKey(paths: { cert: string; key: string; pass?: string | undefined }, fields: CertKeyFields): Promise<CertKey> {
  const cert = await readPemFile(paths.cert, fields.cert);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new FileContentError(fields.cert, paths.cert, 'holds no readable certificate', 'XFED_PEM_BAD_CERTIFICATE');
  }
  const key = await readText(paths.key, fields.key, { maxBytes: PEM_MAX_BYTES });
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key)) throw new FileContentError(fields.key, paths.key, 'holds no PEM private key', 'XFED_PEM_NO_KEY');
  const passphrase = paths.pass !== undefined ? await readSecretFile(paths.pass, fields.pass) : undefined;
  let pk: KeyObject;
  try {
    pk = createPrivateKey({ key, ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ERR_MISSING_PASSPHRASE' || (passphrase === undefined && /ENCRYPTED/.test(key))) {
      throw new InputError(fields.pass, `is needed: ${paths.key} holds an encrypted private key (its passphrase is read from a file, never from the command line)`, 'XFED_KEY_ENCRYPTED');
    }
    if (passphrase !== undefined) throw new FileContentError(fields.key, paths.key, 'could not be decrypted with the given passphrase', 'XFED_KEY_PASSPHRASE');
    throw new FileContentError(fields.key, paths.key, 'holds no readable private key', 'XFED_PEM_BAD_KEY');
  }
  if (!leaf.checkPrivateKey(pk)) throw new FileContentError(fields.key, paths.key, `does not match the certificate in ${paths.cert}`, 'XFED_KEY_MISMATCH');
  return { cert, key, ...(passphrase !== undefined ? { passphrase } : {}) };
}
