/**
 * POSH (RFC 7711): a domain delegates its XMPP service to a host whose certificate does not
 * name it by publishing the certificate's fingerprints at
 * https://<domain>/.well-known/posh/xmpp-server.json. Observation fetches the file (through the
 * probe's DNS client and trust, concurrently with the XMPP session); evaluation matches its
 * fingerprints against the leaf certificate the session's server presented.
 */
import { createHash } from 'node:crypto';
import { isIP } from '../core/ip.js';
import { REF } from '../findings/refs.js';
import { peerIdentity, type Draft } from './common.js';
import type { ObserveCtx } from './context.js';
import { poshGet, urlProblem, type PoshFetchEnv } from './posh-fetch.js';
import type { PoshFacts, PoshFingerprint, PoshProblem } from './posh-types.js';
import { PROBE_CLI_NAMES, type ProbeEvaluateOptions, type ProbeFacts } from './types.js';

/** HTTP redirects followed (each explicitly; a URL seen twice is a loop). */
export const POSH_MAX_REDIRECTS = 3;
/** The time limits of a POSH fetch (each also bounded by the probe's phase timeouts and deadline). */
export const POSH_CONNECT_MS = 3000;
export const POSH_TOTAL_MS = 10_000;

export function poshUrl(domain: string): string {
  return `https://${domain}/.well-known/posh/xmpp-server.json`;
}

const DIGEST_BYTES: Record<PoshFingerprint['alg'], number> = { 'sha-256': 32, 'sha-512': 64 };

/** The fingerprints of a POSH file, or what is wrong with it. */
export function readPoshFile(doc: unknown): { fingerprints: PoshFingerprint[]; expires?: number } | { url: string; expires?: number } | { problem: string } {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { problem: 'the file is not a JSON object' };
  const o = doc as Record<string, unknown>;
  let expires: number | undefined;
  if (o.expires !== undefined) {
    if (typeof o.expires !== 'number' || !Number.isFinite(o.expires) || o.expires < 0) return { problem: '"expires" is not a number of seconds >= 0' };
    expires = o.expires;
  }
  const exp = expires !== undefined ? { expires } : {};
  if (o.url !== undefined) {
    if (typeof o.url !== 'string') return { problem: '"url" is not a string' };
    return { url: o.url, ...exp };
  }
  if (!Array.isArray(o.fingerprints)) return { problem: o.fingerprints === undefined ? 'no "fingerprints" (and no "url")' : '"fingerprints" is not an array' };
  const fingerprints: PoshFingerprint[] = [];
  for (const [i, f] of o.fingerprints.entries()) {
    if (!f || typeof f !== 'object' || Array.isArray(f)) return { problem: `fingerprints[${i}] is not an object` };
    for (const alg of ['sha-256', 'sha-512'] as const) {
      const v = (f as Record<string, unknown>)[alg];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || Buffer.from(v, 'base64').length !== DIGEST_BYTES[alg]) {
        return { problem: `fingerprints[${i}]["${alg}"] is not the base64 of a ${DIGEST_BYTES[alg]}-byte digest` };
      }
      fingerprints.push({ alg, value: v });
    }
  }
  if (!fingerprints.length) return { problem: 'no "sha-256" or "sha-512" fingerprint' };
  return { fingerprints, ...exp };
}

type Step = { outcome: 'found' | 'absent' | 'invalid'; reason?: string; problem?: PoshProblem };

function invalid(problem: PoshProblem, reason: string): Step {
  return { outcome: 'invalid', problem, reason };
}

/** Fetches the POSH file of `domain`: redirects and one `url` reference followed, never throws. */
export async function fetchPosh(domain: string, env: PoshFetchEnv): Promise<PoshFacts> {
  const t0 = performance.now();
  const facts: PoshFacts = { url: poshUrl(domain), outcome: 'absent', requests: [], ms: 0 };
  const step = await walk(facts, env);
  facts.outcome = step.outcome;
  if (step.reason) facts.reason = step.reason;
  if (step.problem) facts.problem = step.problem;
  facts.ms = Math.round(performance.now() - t0);
  return facts;
}

async function walk(facts: PoshFacts, env: PoshFetchEnv): Promise<Step> {
  let url = new URL(facts.url);
  const seen = new Set<string>([url.href]);
  let redirects = 0;
  for (;;) {
    const { request: r, body } = await poshGet(env, url);
    facts.requests.push(r);
    if (r.code === 'TOO-LARGE') return invalid('too-large', `${r.url} is larger than ${r.bytes} bytes`);
    if (r.code === 'TIMEOUT') return invalid('timeout', `${r.url}: ${r.error}`);
    if (r.code) {
      // The domain's HTTPS is not there (or not for this domain): no POSH. Past a `url` reference, the delegation is broken.
      if (!facts.reference) return { outcome: 'absent', reason: `${r.url}: ${r.error}` };
      return invalid('unreachable', `${r.url}: ${r.error}`);
    }
    const status = r.status!;
    if (status >= 300 && status < 400) {
      if (!r.location) return invalid('http-status', `${r.url} answered HTTP ${status} without a Location`);
      let next: URL;
      try {
        next = new URL(r.location, url);
      } catch {
        return invalid('http-status', `${r.url} redirects to an unreadable Location`);
      }
      const bad = urlProblem(next);
      if (bad) return invalid(bad, `${r.url} redirects to ${bad === 'credentials' ? 'a URL with credentials' : next.protocol.replace(':', '')} (${bad === 'credentials' ? 'never followed' : 'only https is followed'})`);
      if (seen.has(next.href)) return invalid('redirect-loop', `${r.url} redirects back to ${next.href} (a loop)`);
      if (++redirects > POSH_MAX_REDIRECTS) return invalid('redirects', `more than ${POSH_MAX_REDIRECTS} redirects from ${facts.url}`);
      seen.add(next.href);
      url = next;
      continue;
    }
    if (status === 404 && !facts.reference) return { outcome: 'absent', reason: `${r.url}: HTTP 404` };
    if (status < 200 || status >= 300) return invalid('http-status', `${r.url} answered HTTP ${status}`);
    let doc: unknown;
    try {
      doc = JSON.parse(body!.toString('utf8'));
    } catch {
      return invalid('not-json', `${r.url} is not JSON`);
    }
    const file = readPoshFile(doc);
    if ('problem' in file) return invalid('fields', `${r.url}: ${file.problem}`);
    if (file.expires !== undefined) facts.expires = file.expires;
    if ('url' in file) {
      if (facts.reference) return invalid('second-reference', `${r.url} refers on to ${file.url}: a POSH client follows one "url" reference only`);
      let ref: URL;
      try {
        ref = new URL(file.url);
      } catch {
        return invalid('fields', `${r.url}: "url" is not a URL`);
      }
      const bad = urlProblem(ref);
      if (bad) return invalid(bad, `${r.url} refers to ${bad === 'credentials' ? 'a URL with credentials' : `a ${ref.protocol.replace(':', '')} URL`} (only https, without credentials)`);
      facts.reference = ref.href;
      seen.add(ref.href);
      url = ref;
      continue;
    }
    facts.fingerprints = file.fingerprints;
    return { outcome: 'found' };
  }
}

/** Starts the POSH fetch of the probe's peer (concurrently with the session); undefined: not wanted. */
export function startPosh(ctx: ObserveCtx): Promise<PoshFacts> | undefined {
  const { o, t } = ctx;
  if (o.posh === false || o.verify) return undefined;
  if (o.host && isIP(o.host) && !o.resolvers?.length && !o.doh) {
    return Promise.resolve({ url: poshUrl(o.peer), outcome: 'skipped', reason: 'the server was pinned to an IP address and no DNS server was given: no DNS is used', requests: [], ms: 0 });
  }
  const total = Math.min(POSH_TOTAL_MS, t.tls, Math.max(0, ctx.deadlineAt - performance.now()));
  return fetchPosh(o.peer, { dns: ctx.dns(), ca: o.ca, family: o.family, connectMs: Math.min(POSH_CONNECT_MS, t.tcp), until: performance.now() + total });
}

/** The digests of the presented leaf certificate, for matching. */
export function presentedDigests(der: Uint8Array): { sha256: string; sha512: string } {
  return { sha256: createHash('sha256').update(der).digest('base64'), sha512: createHash('sha512').update(der).digest('base64') };
}

/** Whether the POSH file lists the presented leaf certificate; undefined: no file or no certificate to compare. */
export function poshMatches(facts: ProbeFacts): boolean | undefined {
  const p = facts.posh;
  const leaf = facts.tls?.chain[0];
  if (p?.outcome !== 'found' || !p.fingerprints?.length || !leaf) return undefined;
  const sha256 = p.presented?.sha256 ?? Buffer.from(leaf.sha256.replace(/:/g, ''), 'hex').toString('base64');
  return p.fingerprints.some((f) => (f.alg === 'sha-256' ? f.value === sha256 : p.presented !== undefined && f.value === p.presented.sha512));
}

/** The certificate names the peer by itself (POSH is then not needed for the session). */
function namesPeer(facts: ProbeFacts): boolean | undefined {
  return facts.tls?.chain[0] ? peerIdentity(facts.peer, facts.tls).matched : undefined;
}

export function evaluatePosh(facts: ProbeFacts, o: ProbeEvaluateOptions = {}): Draft[] {
  const p = facts.posh;
  if (!p || p.outcome === 'absent' || p.outcome === 'skipped') return [];
  const peer = facts.peer;
  const needed = namesPeer(facts) !== true;
  const ev = [
    { label: 'posh', value: p.url },
    ...(p.reference ? [{ label: 'url reference', value: p.reference }] : []),
    ...(p.expires !== undefined ? [{ label: 'expires', value: `${p.expires} s` }] : []),
  ];
  const soft = needed ? 'error' : 'warning';
  const because = needed ? '' : ` (the certificate names ${peer} itself, so the session does not depend on it)`;
  if (p.outcome === 'invalid') {
    return [{
      id: 'probe.posh.invalid',
      severity: soft,
      phase: 'posh',
      title: `the POSH file of ${peer} cannot be used (${p.problem ?? 'invalid'})${because}`,
      detail: `${p.reason ?? ''}. Peers that check POSH (RFC 7711) ignore a file they cannot fetch or read, so a delegation that relies on it fails.`,
      evidence: [...ev, ...p.requests.map((r) => ({ label: 'request', value: `${r.url} ${r.status !== undefined ? `HTTP ${r.status}` : (r.code ?? '')}${r.location ? ` -> ${r.location}` : ''} (${r.ms} ms)`, ...(r.address ? { source: r.address } : {}) }))],
      fix: `Serve a JSON object {"fingerprints":[{"sha-256":"<base64 SHA-256 of the DER certificate>"}],"expires":<seconds>} at ${p.url} over HTTPS with a certificate valid for ${peer} (or a {"url":"https://...","expires":<seconds>} reference to one such file), small and without redirects; or remove it and get a certificate that names ${peer}. To skip this check: ${(o.names ?? PROBE_CLI_NAMES).noPosh}.`,
      references: [REF.rfc7711],
    }];
  }
  const m = poshMatches(facts);
  if (m === undefined) return [];
  const leaf = facts.tls!.chain[0]!;
  const cert = [{ label: 'presented', value: `${leaf.subject} sha-256 ${p.presented?.sha256 ?? leaf.sha256}` }];
  if (m) {
    return [{
      id: 'probe.posh.match',
      severity: 'info',
      phase: 'posh',
      title: `the POSH file of ${peer} lists the certificate its server presents`,
      detail: `Peers that check POSH (RFC 7711) accept this certificate for ${peer}${p.reference ? ` (through the reference ${p.reference})` : ''}.`,
      evidence: [...ev, ...cert],
    }];
  }
  return [{
    id: 'probe.posh.mismatch',
    severity: soft,
    phase: 'posh',
    title: `the POSH file of ${peer} does not list the certificate its server presents${because}`,
    detail: `None of the ${p.fingerprints!.length} fingerprint(s) in the file is the presented leaf certificate's: the certificate was changed without updating the POSH file (or the file lists another server's). Peers that check POSH refuse the delegation.`,
    evidence: [...ev, ...cert, ...p.fingerprints!.slice(0, 10).map((f) => ({ label: `published ${f.alg}`, value: f.value }))],
    fix: `Publish the new certificate's fingerprint (base64 SHA-256 of its DER) in ${p.reference ?? p.url}, next to the old one, before the server switches to it; remove the old one after. E.g.: openssl x509 -in cert.pem -outform DER | openssl dgst -sha256 -binary | base64`,
    references: [REF.rfc7711],
  }];
}
