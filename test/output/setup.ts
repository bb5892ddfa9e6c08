/**
 * The servers the output tests run every command against: xfed's in-process S2S server (probe,
 * dialback verify), the AXL emulator over HTTPS (axl-verify), unbound for `example.`
 * (check-dns), and log fixtures (diagnose). One command line per command, each with error findings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TAC_ROW, makeSelfSignedCert, startAxlEmulator, type AxlEmulator } from '../../src/axl/emulator.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';
import { startExampleDns, type ExampleDns } from '../dns/dns-server.js';
import { FIXTURES, hasBinary } from '../helpers/servers.js';
import { makeCa, makeLeaf } from '../lab/certs.js';

export const AXL_USER = 'axl-output';
export const AXL_PASSWORD = 'Output-AXL-pw-7!';
export const DIALBACK_SECRET = 'output-test-dialback-secret';
export const LOG_ERROR = join(FIXTURES, 'logs', 'expe-dialback-invalid.log');
export const LOG_OK = join(FIXTURES, 'logs', 'ejabberd-ok.log');

/** unbound and openssl are Debian packages (scripts/setup.sh); without them those cases skip. */
export const skipServers = hasBinary('unbound') && hasBinary('openssl') ? undefined : 'unbound/openssl not installed (bash scripts/setup.sh)';

export interface Servers {
  dir: string;
  dns: ExampleDns;
  axl: AxlEmulator;
  axlCa: string;
  s2s: S2sServer;
  s2sCa: string;
  /** A file holding the right dialback secret of us.test for the S2S server. */
  secretFile: string;
  /** A file holding a wrong one: the S2S server answers type='invalid' (exit 1). */
  wrongSecretFile: string;
  stop(): Promise<void>;
}

export async function startServers(): Promise<Servers> {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-output-'));
  const dns = await startExampleDns();
  const tls = makeSelfSignedCert({ ips: ['127.0.0.1'] });
  const axlCa = join(dir, 'imp-ca.pem');
  writeFileSync(axlCa, tls.cert);
  const axl = await startAxlEmulator({ host: '127.0.0.1', port: 0, tls, users: { [AXL_USER]: AXL_PASSWORD }, rows: [TAC_ROW], versions: ['14.0', '15.0'] });
  const ca = makeCa();
  const s2sCa = join(dir, 's2s-ca.pem');
  writeFileSync(s2sCa, ca.cert);
  const s2s = await startS2sServer({ domains: ['peer.test'], tls: makeLeaf({ cn: 'peer.test', dns: ['peer.test'] }, ca), tlsMode: 'required', secret: DIALBACK_SECRET });
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, `${DIALBACK_SECRET}\n`);
  const wrongSecretFile = join(dir, 'wrong-secret');
  writeFileSync(wrongSecretFile, 'not-the-secret\n');
  return {
    dir,
    dns,
    axl,
    axlCa,
    s2s,
    s2sCa,
    secretFile,
    wrongSecretFile,
    async stop() {
      await axl.close();
      await s2s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A command line per check, each ending with error findings (exit 1), and its check name. */
export function commandLines(s: Servers): Array<{ command: string; check: string; args: string[]; env: NodeJS.ProcessEnv }> {
  const env = { XFED_AXL_PASSWORD: 'wrong-password', XFED_DIALBACK_SECRET: undefined };
  return [
    { command: 'check-dns', check: 'dns', args: ['check-dns', '--resolver', s.dns.resolver, 'good.example', 'private.example'], env },
    {
      command: 'probe',
      check: 'probe',
      args: ['probe', 'peer.test', '--host', '127.0.0.1', '--port', String(s.s2s.port), '--from', 'us.test', '--secret-file', s.wrongSecretFile, '--ca', s.s2sCa],
      env,
    },
    { command: 'axl-verify', check: 'axl', args: ['axl-verify', '--server', `127.0.0.1:${s.axl.port}`, '--user', AXL_USER, '--ca', s.axlCa], env },
    { command: 'diagnose', check: 'diagnose', args: ['diagnose', LOG_ERROR], env },
  ];
}
