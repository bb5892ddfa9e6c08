/**
 * `xfed doctor --demo`: a small simulated deployment started inside the xfed process, built
 * from xfed's own test servers, bound only to 127.0.0.1 on ephemeral ports (so it runs
 * unprivileged on Linux, macOS and Windows, and never clashes with a real service):
 *
 * - DNS (dns2) authoritative for acme.example and globex.example; the SRV records carry the
 *   ephemeral ports of the XMPP servers;
 * - acme.example, "our" domain, healthy: an s2s server with STARTTLS, a certificate for its
 *   domain from the demo CA, and dialback with our secret;
 * - globex.example, a partner with typical mistakes: its SRV target is a CNAME (RFC 2782
 *   forbids it), its XEP-0368 target has no address, its certificate names only the host
 *   (xmpp.globex.example, not the XMPP domain), and it rejects our dialback key;
 * - IM&P AXL over HTTPS (the AXL emulator) that refuses the configured user with a 401;
 * - a log bundle (an Expressway-C and an Expressway-E log) for the diagnose rules.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { registerSecret } from '../../core/redact.js';
import { startAxlEmulator, type AxlEmulator } from '../../axl/emulator.js';
import { startS2sServer, type S2sServer } from '../../xmpp/server.js';
import type { DoctorConfig } from '../config.js';
import type { DoctorPlan } from '../plan.js';
import { makeDemoPki } from './certs.js';
import { startDemoDns, type DemoDns, type ZoneRecord } from './dns.js';
import { packageUrl } from '../../core/paths.js';

export const DEMO_OURS = 'acme.example';
export const DEMO_PARTNER = 'globex.example';
export const DEMO_AXL_USER = 'expc-axl';

export const DEMO_LOGS = fileURLToPath(packageUrl('fixtures/doctor/demo-logs/'));

export interface DemoDeployment {
  plan: DoctorPlan;
  dns: DemoDns;
  servers: { ours: S2sServer; partner: S2sServer };
  axl: AxlEmulator;
  stop(): Promise<void>;
}

export async function startDemo(): Promise<DemoDeployment> {
  const pki = await makeDemoPki();
  const [oursTls, partnerTls, axlTls] = await Promise.all([
    pki.issue({ cn: DEMO_OURS, dns: [DEMO_OURS, `xmpp.${DEMO_OURS}`] }),
    // The classic mistake: a certificate for the server's host name, not for the XMPP domain.
    pki.issue({ cn: `xmpp.${DEMO_PARTNER}`, dns: [`xmpp.${DEMO_PARTNER}`] }),
    pki.issue({ cn: 'imp01.acme.example', dns: ['imp01.acme.example'], ips: ['127.0.0.1'] }),
  ]);
  // Fresh random secrets each run: nothing in the demo is a reusable credential.
  const ourSecret = randomBytes(16).toString('hex');
  const axlPassword = randomBytes(12).toString('base64url');
  registerSecret(ourSecret);
  registerSecret(axlPassword);

  const started: Array<{ close(): Promise<void> }> = [];
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  try {
    const timeoutMs = 3000;
    const ours = await startS2sServer({ host: '127.0.0.1', port: 0, domains: [DEMO_OURS], tls: { ...oursTls, ca: pki.ca.cert }, tlsMode: 'starttls', secret: ourSecret, timeoutMs });
    started.push(ours);
    // The partner shares no secret with us and knows nothing of acme.example: our key is invalid there.
    const partner = await startS2sServer({
      host: '127.0.0.1',
      port: 0,
      domains: [DEMO_PARTNER],
      tls: { ...partnerTls, ca: pki.ca.cert },
      tlsMode: 'starttls',
      secret: randomBytes(16).toString('hex'),
      timeoutMs,
    });
    started.push(partner);
    // The AXL user's password was changed on IM&P but not on Expressway-C: every request gets 401.
    const axl = await startAxlEmulator({
      host: '127.0.0.1',
      port: 0,
      tls: axlTls,
      scenario: 'unauthorized',
      users: { [DEMO_AXL_USER]: randomBytes(12).toString('base64url') },
      rows: [{ pkid: '0b7e1c9e-4f1e-4a55-9a0e-5d3c2f1a7b01', cp_id: 'cm-2_s2scp-1.xmpp-acme-example' }],
    });
    started.push(axl);

    const zone: ZoneRecord[] = [
      // acme.example: healthy.
      { name: `_xmpp-server._tcp.${DEMO_OURS}`, type: 'SRV', priority: 5, weight: 0, port: ours.port, target: `xmpp.${DEMO_OURS}` },
      { name: `xmpp.${DEMO_OURS}`, type: 'A', address: '127.0.0.1' },
      { name: DEMO_OURS, type: 'A', address: '127.0.0.1' },
      // globex.example: the SRV target is an alias, and the direct-TLS target does not resolve.
      { name: `_xmpp-server._tcp.${DEMO_PARTNER}`, type: 'SRV', priority: 10, weight: 0, port: partner.port, target: `xmpp.${DEMO_PARTNER}` },
      { name: `xmpp.${DEMO_PARTNER}`, type: 'CNAME', domain: `host1.${DEMO_PARTNER}` },
      { name: `host1.${DEMO_PARTNER}`, type: 'A', address: '127.0.0.1' },
      { name: `_xmpps-server._tcp.${DEMO_PARTNER}`, type: 'SRV', priority: 5, weight: 0, port: 5270, target: `xmpps.${DEMO_PARTNER}` },
    ];
    const dns = await startDemoDns(zone, [DEMO_OURS, DEMO_PARTNER]);
    started.push(dns);

    const config: DoctorConfig = {
      domains: [DEMO_OURS],
      partners: [DEMO_PARTNER],
      expresswayE: [],
      // Everything lives on 127.0.0.1, which is an error on the Internet: the demo is a lab.
      dns: { resolvers: [dns.resolver], tcp: false, allowPrivate: true, client: false },
      probe: { enabled: true, from: DEMO_OURS, ca: [], insecure: false, dialback: true, posh: true, expiryWarnDays: 14 },
      axl: { server: `127.0.0.1:${axl.port}`, user: DEMO_AXL_USER, expect: [`xmpp.${DEMO_OURS}`], insecure: false, all: false },
      logs: [DEMO_LOGS],
      ignore: [
        { id: 'dns.srv.port-nonstandard', reason: 'the demo servers listen on ephemeral ports, not 5269' },
        { id: 'dns.xmpps.absent', target: DEMO_OURS, reason: 'acme.example offers STARTTLS only (XEP-0368 is optional)' },
      ],
      concurrency: 8,
      timeouts: { dns: 1000, probe: 2000, dialback: 2000, axl: 2000 },
    };
    const plan: DoctorPlan = { config, secret: ourSecret, probeCa: [pki.ca.cert], axl: { password: axlPassword, ca: pki.ca.cert } };
    return { plan, dns, servers: { ours, partner }, axl, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
