/**
 * The probe's options checked where they are used, whoever built them (the CLI, doctor, a
 * program): bad input is an InputError named by its field (`probe.port`), never by a flag.
 */
import { isIP } from '../core/ip.js';
import { InputError } from '../core/errors.js';
import type { ProbeOptions } from './types.js';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

function positive(field: string, v: number | undefined, max: number, code: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max)) throw new InputError(field, `must be a whole number from 1 to ${max}, not ${String(v)}`, code);
}

/** Throws InputError for options no probe can run with. */
export function checkProbeOptions(o: ProbeOptions): void {
  if (!o.peer || !HOSTNAME.test(o.peer) || isIP(o.peer)) throw new InputError('probe.peer', 'must be a domain name', 'XFED_PROBE_PEER');
  if (o.from !== undefined && (!HOSTNAME.test(o.from) || isIP(o.from))) throw new InputError('probe.from', 'must be a domain name', 'XFED_PROBE_FROM');
  if (o.host !== undefined && !isIP(o.host) && !HOSTNAME.test(o.host)) throw new InputError('probe.host', 'must be a host name or an IP address', 'XFED_PROBE_HOST');
  positive('probe.port', o.port, 65_535, 'XFED_PROBE_PORT');
  for (const pem of o.ca ?? []) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('probe.ca', 'holds no PEM certificate', 'XFED_PROBE_CA');
  }
  if ((o.cert === undefined) !== (o.key === undefined)) throw new InputError(o.cert === undefined ? 'probe.cert_file' : 'probe.key_file', o.cert === undefined ? 'is needed with a private key' : 'is needed with a certificate', 'XFED_PROBE_CERT_KEY');
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) throw new InputError('probe.family', 'must be 4 or 6', 'XFED_PROBE_FAMILY');
  for (const a of o.aliases ?? []) if (!HOSTNAME.test(a) || isIP(a)) throw new InputError('probe.alias', `must be a domain name, not ${JSON.stringify(a).slice(0, 80)}`, 'XFED_PROBE_ALIAS');
  for (const [phase, ms] of Object.entries(o.timeouts ?? {})) positive(`probe.timeouts.${phase}`, ms, 3_600_000, 'XFED_PROBE_TIMEOUT');
  if (o.verify && (!o.verify.streamId || /[\s<>&'"]/.test(o.verify.streamId))) throw new InputError('probe.stream_id', 'must be the stream id as it appears in the log (no spaces or XML characters)', 'XFED_PROBE_STREAM_ID');
}
