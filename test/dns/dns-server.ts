import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, labDir, startUnbound, type UnboundInstance } from '../helpers/servers.js';

export const DNS_ADDR = '127.0.10.53';
export const DOH_PORT = 8443;

export interface ExampleDns extends UnboundInstance {
  /** DNS-over-HTTPS endpoint of the same unbound. */
  doh: string;
  /** CA file to trust for the DoH endpoint (pass as NODE_EXTRA_CA_CERTS). */
  ca: string;
}

/**
 * The real DNS server of the check-dns tests: unbound, authoritative for `example.`
 * on 127.0.10.53:53 (UDP and TCP), and DNS-over-HTTPS on 127.0.10.53:8443.
 */
export async function startExampleDns(): Promise<ExampleDns> {
  const dir = labDir('unbound-example');
  const key = join(dir, 'doh-key.pem');
  const cert = join(dir, 'doh-cert.pem');
  if (!existsSync(cert)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', `/CN=${DNS_ADDR}`, '-addext', `subjectAltName=IP:${DNS_ADDR}`, '-keyout', key, '-out', cert], {
      stdio: 'ignore',
    });
  }
  const extra = [`  interface: ${DNS_ADDR}@${DOH_PORT}`, `  https-port: ${DOH_PORT}`, `  tls-service-key: "${key}"`, `  tls-service-pem: "${cert}"`].join('\n');
  const u = await startUnbound('example', DNS_ADDR, 53, [{ name: 'example.', file: join(FIXTURES, 'dns', 'example.zone') }], extra);
  return { ...u, doh: `https://${DNS_ADDR}:${DOH_PORT}/dns-query`, ca: cert };
}
