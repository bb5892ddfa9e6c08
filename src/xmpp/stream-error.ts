/**
 * Stream errors (RFC 6120 §4.9): unrecoverable, the stream closes after one.
 * https://www.rfc-editor.org/rfc/rfc6120#section-4.9.3
 */
import { elements, NS, textOf, type XmlElement } from './xml.js';

export const STREAM_ERROR_CONDITIONS = [
  'bad-format', 'bad-namespace-prefix', 'conflict', 'connection-timeout', 'host-gone', 'host-unknown',
  'improper-addressing', 'internal-server-error', 'invalid-from', 'invalid-namespace', 'invalid-xml',
  'not-authorized', 'not-well-formed', 'policy-violation', 'remote-connection-failed', 'reset',
  'resource-constraint', 'restricted-xml', 'see-other-host', 'system-shutdown', 'undefined-condition',
  'unsupported-encoding', 'unsupported-feature', 'unsupported-stanza-type', 'unsupported-version',
] as const;

export interface StreamErrorInfo {
  /** One of STREAM_ERROR_CONDITIONS, or the unknown element name as sent. */
  condition: string;
  known: boolean;
  text?: string;
  /** For see-other-host: the host to use instead. */
  otherHost?: string;
  /** Application-specific condition element names (another namespace). */
  application?: string[];
}

export function isStreamError(el: XmlElement): boolean {
  return el.name === 'error' && el.ns === NS.stream;
}

export function parseStreamError(el: XmlElement): StreamErrorInfo {
  let condition: string | undefined;
  let text: string | undefined;
  let otherHost: string | undefined;
  const application: string[] = [];
  for (const c of elements(el)) {
    if (c.ns === NS.streams) {
      if (c.name === 'text') text = textOf(c).trim();
      else if (!condition) {
        condition = c.name;
        if (c.name === 'see-other-host') otherHost = textOf(c).trim() || undefined;
      }
    } else application.push(c.name);
  }
  condition ??= 'undefined-condition';
  const out: StreamErrorInfo = { condition, known: (STREAM_ERROR_CONDITIONS as readonly string[]).includes(condition) };
  if (text) out.text = text;
  if (otherHost) out.otherHost = otherHost;
  if (application.length) out.application = application;
  return out;
}

/** What a stream-error condition usually means for s2s federation, as advice. */
export const STREAM_ERROR_ADVICE: Record<string, string> = {
  'host-unknown': 'The peer does not serve this domain: the SRV record (or --host) points at a server that is not configured for it.',
  'host-gone': 'The peer used to serve this domain but no longer does.',
  'improper-addressing': 'The stream header lacked a valid from/to: check --from.',
  'invalid-from': 'The peer does not accept our from domain on this connection.',
  'not-authorized': 'The peer requires authentication we did not complete (often: a certificate for SASL EXTERNAL, or dialback refused).',
  'policy-violation': 'A local policy of the peer refused us (often: TLS required, or federation restricted to an allow-list).',
  'remote-connection-failed': 'The peer could not reach a server it needed (for dialback: the authoritative server of our domain).',
  'undefined-condition': 'The peer gave no specific reason (Prosody sends this when our from is one of its own hosts).',
  'unsupported-version': 'The peer refused the stream version (dialback disabled on one side is a common cause).',
  'see-other-host': 'The peer redirects to another host.',
  'connection-timeout': 'The peer closed the stream for inactivity.',
  'system-shutdown': 'The peer is shutting down.',
  'resource-constraint': 'The peer is out of resources.',
  'not-well-formed': 'The peer could not parse what we sent.',
  'invalid-namespace': 'The peer refused the stream namespace (jabber:server expected on 5269).',
};
