/**
 * Chain completion (probe.cert.chain-incomplete): when the served chain stops at a certificate
 * that is not self-issued and whose issuer is not among the trusted roots, look for that issuer
 * (an intermediate) in the --ca bundle or the system store. Found: the server forgot to send it
 * (browsers hide this by fetching it through AIA; XMPP servers do not).
 */
import { X509Certificate } from 'node:crypto';
// The default import: `tls.rootCertificates` is a getter that builds the roots on first use.
import tls from 'node:tls';

const parsed = new Map<string, X509Certificate[]>();

function pemsOf(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function certs(key: string, pems: () => string[]): X509Certificate[] {
  let c = parsed.get(key);
  if (!c) {
    c = [];
    for (const p of pems()) {
      try {
        c.push(new X509Certificate(p));
      } catch {
        // An unreadable certificate in a bundle is skipped.
      }
    }
    parsed.set(key, c);
  }
  return c;
}

function issuerIn(x: X509Certificate, pool: X509Certificate[]): X509Certificate | undefined {
  return pool.find((c) => c.subject === x.issuer && x.checkIssued(c) && x.verify(c.publicKey));
}

function selfIssued(x: X509Certificate): boolean {
  return x.subject === x.issuer && x.checkIssued(x);
}

/**
 * The issuer the served chain lacks, if one exists in `ca` (then the system roots) and leads
 * to a self-issued root there; undefined when the chain is complete or no issuer is known.
 */
export function missingIssuer(served: Buffer[], ca: string[] | undefined): { subject: string; from: 'ca' | 'system' } | undefined {
  const last = served.length ? new X509Certificate(served[served.length - 1]!) : undefined;
  if (!last || selfIssued(last)) return undefined;
  const bundle = ca?.length ? certs(`ca:${ca.join('\n')}`, () => ca.flatMap(pemsOf)) : [];
  // Issued by a root the client trusts: the root is not expected in the chain. The --ca bundle
  // first: the system store is parsed (~140 certificates, ~5 ms) only when it is needed.
  if (issuerIn(last, bundle.filter(selfIssued))) return undefined;
  const system = certs('system', () => [...tls.rootCertificates]);
  if (issuerIn(last, system.filter(selfIssued))) return undefined;
  for (const [pool, from] of [[bundle, 'ca'], [system, 'system']] as const) {
    const issuer = issuerIn(last, pool.filter((c) => !selfIssued(c)));
    if (!issuer) continue;
    // The issuer must itself lead to a root (at most a few steps).
    let cur = issuer;
    for (let i = 0; i < 4; i++) {
      const up = issuerIn(cur, [...bundle, ...system]);
      if (!up) break;
      if (selfIssued(up)) return { subject: issuer.subject.replace(/\n/g, ', '), from };
      cur = up;
    }
  }
  return undefined;
}

/**
 * The trust anchors of a --ca bundle: its self-issued certificates only. Intermediates in the
 * bundle are not given to OpenSSL: it would complete a chain the server failed to send (and
 * node would show them as sent); missingIssuer() finds them instead.
 */
export function anchorsOf(ca: string[]): string[] {
  const key = ca.join('\n');
  let out = anchors.get(key);
  if (!out) anchors.set(key, (out = findAnchors(ca)));
  return out;
}

const anchors = new Map<string, string[]>();

function findAnchors(ca: string[]): string[] {
  const out: string[] = [];
  for (const text of ca) {
    for (const p of pemsOf(text)) {
      try {
        if (selfIssued(new X509Certificate(p))) out.push(p);
      } catch {
        out.push(p);
      }
    }
  }
  return out;
}
