/**
 * Identity with delegation: a certificate that does not name the peer domain is still
 * acceptable to validating peers when the domain delegated the service to it, by POSH
 * (RFC 7711: the domain's POSH file lists the certificate) or by DANE (RFC 7673: an
 * authenticated TLSA record of the SRV target matches; DANE-EE needs no name check, RFC 7671
 * §5.1; DANE-TA needs the certificate to name the SRV target host).
 */
import type { Evidence } from '../core/result.js';
import { matchIdentity } from '../xmpp/identity.js';
import { REF, section } from '../findings/refs.js';
import { poshMatches } from './posh.js';
import type { ProbeFacts } from './types.js';

/** DANE-EE: no name check (RFC 7671 §5.1). */
const RFC7671_EE = section(REF.rfc7671, 'section-5.1');

export interface Delegation {
  via: 'POSH' | 'DANE';
  rfc: 'RFC 7711' | 'RFC 7673';
  /** How, in words. */
  how: string;
  evidence: Evidence[];
  references: string[];
}

function dane(facts: ProbeFacts): Delegation | undefined {
  const d = facts.dane;
  const m = d?.matched;
  if (!d?.usable || !m) return undefined;
  const record = `${m.usage} ${m.selector} ${m.matchingType}`;
  const evidence: Evidence[] = [{ label: 'tlsa', value: `${d.name} ${record} (matches certificate #${m.certIndex})` }];
  if (m.usage === 3) {
    return { via: 'DANE', rfc: 'RFC 7673', how: `the authenticated TLSA record ${d.name} (${record}, DANE-EE) matches the certificate: no name check applies (RFC 7671 §5.1)`, evidence, references: [REF.rfc7673, RFC7671_EE] };
  }
  // DANE-TA: the SRV target is an acceptable reference identity when the SRV RRset was authenticated (RFC 7673 §4).
  const target = facts.connected?.host;
  const names = facts.tls?.chain[0]?.names;
  const viaSrv = facts.attempts.some((a) => a.ok && a.host === target && a.source === 'srv');
  if (!target || !names || !viaSrv || d.srvAuthenticated !== true || !matchIdentity(target, names).matched) return undefined;
  return { via: 'DANE', rfc: 'RFC 7673', how: `the authenticated TLSA record ${d.name} (${record}, DANE-TA) matches the chain and the certificate names the SRV target ${target}`, evidence, references: [REF.rfc7673] };
}

function posh(facts: ProbeFacts): Delegation | undefined {
  if (poshMatches(facts) !== true) return undefined;
  const p = facts.posh!;
  return {
    via: 'POSH',
    rfc: 'RFC 7711',
    how: `the POSH file ${p.reference ?? p.url} lists the certificate`,
    evidence: [{ label: 'posh', value: p.reference ? `${p.url} -> ${p.reference}` : p.url }],
    references: [REF.rfc7711],
  };
}

/** The delegations that make a certificate that does not name the peer acceptable (POSH first). */
export function delegations(facts: ProbeFacts): Delegation[] {
  return [posh(facts), dane(facts)].filter((d): d is Delegation => d !== undefined);
}
