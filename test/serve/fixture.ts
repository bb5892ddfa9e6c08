/**
 * The little federation `xfed serve` is tested (and benchmarked) against, all in this process
 * on loopback ephemeral ports: a healthy s2s peer (good.test, dialback with the shared secret
 * valid), a broken one (broken.test, answers every dialback with type='invalid'), an AXL
 * emulator with the right and a wrong password, and the config file that names them as modules.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAxlEmulator, makeSelfSignedCert } from '../../src/axl/emulator.js';
import { startS2sServer, type S2sServer } from '../../src/xmpp/server.js';
import { makeCa, makeLeaf } from '../lab/certs.js';
import { labDir } from '../helpers/servers.js';

/** Secrets the tests look for in every answer: none may appear. */
export const DIALBACK_SECRET = 'serve-dialback-S3cret-7f1c';
export const AXL_PASSWORD = 'serve-axl-P4ssw0rd-9b2e';
export const AXL_USER = 'exporter';
export const SLOW_DIALBACK_MS = 200;

export interface ServeLab {
  dir: string;
  config: string;
  good: S2sServer;
  broken: S2sServer;
  /** good.test again, but it answers dialback after 200 ms (a peer across a WAN calls back through DNS). */
  slow: S2sServer;
  axlServer: string;
  /** A config whose AXL password is wrong (axl.auth.failed). */
  wrongAxlConfig: string;
  close(): Promise<void>;
}

export async function startServeLab(name = `serve-${process.pid}`): Promise<ServeLab> {
  const dir = labDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ca = makeCa();
  const goodCert = makeLeaf({ cn: 'good.test', dns: ['good.test'], srvNames: ['_xmpp-server.good.test'] }, ca);
  const brokenCert = makeLeaf({ cn: 'broken.test', dns: ['broken.test'] }, ca);
  const good = await startS2sServer({ domains: ['good.test'], tls: goodCert, tlsMode: 'required', secret: DIALBACK_SECRET });
  const broken = await startS2sServer({ domains: ['broken.test'], tls: brokenCert, tlsMode: 'required', secret: DIALBACK_SECRET, misbehave: 'reject-dialback' });
  const slow = await startS2sServer({ domains: ['good.test'], tls: goodCert, tlsMode: 'required', secret: DIALBACK_SECRET, dialbackDelayMs: SLOW_DIALBACK_MS });
  const axlTls = makeSelfSignedCert({ ips: ['127.0.0.1'] });
  const axl = await startAxlEmulator({ host: '127.0.0.1', port: 0, tls: axlTls, users: { [AXL_USER]: AXL_PASSWORD }, rows: [] });
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'axl-ca.pem'), axlTls.cert);
  writeFileSync(join(dir, 'dialback.secret'), `${DIALBACK_SECRET}\n`);
  writeFileSync(join(dir, 'axl.password'), `${AXL_PASSWORD}\n`);
  writeFileSync(join(dir, 'axl-wrong.password'), `not-${AXL_PASSWORD}\n`);
  const axlServer = `127.0.0.1:${axl.port}`;
  const text = (passwordFile: string) =>
    [
      'domains: [us.test]',
      'probe:',
      '  from: us.test',
      '  secret_file: dialback.secret',
      '  ca: ca.pem',
      'axl:',
      `  server: "${axlServer}"`,
      `  user: ${AXL_USER}`,
      `  password_file: ${passwordFile}`,
      '  ca: axl-ca.pem',
      'serve:',
      '  max_concurrent: 64',
      '  modules:',
      `    - { name: good_dialback, check: dialback, host: 127.0.0.1, port: ${good.port}, timeout: 5000 }`,
      `    - { name: broken_dialback, check: dialback, host: 127.0.0.1, port: ${broken.port}, timeout: 5000 }`,
      `    - { name: slow_dialback, check: dialback, host: 127.0.0.1, port: ${slow.port}, timeout: 5000 }`,
      `    - { name: good_probe, check: probe, host: 127.0.0.1, port: ${good.port} }`,
      '',
    ].join('\n');
  const config = join(dir, 'xfed.yaml');
  writeFileSync(config, text('axl.password'));
  const wrongAxlConfig = join(dir, 'xfed-wrong-axl.yaml');
  writeFileSync(wrongAxlConfig, text('axl-wrong.password'));
  return {
    dir,
    config,
    good,
    broken,
    slow,
    axlServer,
    wrongAxlConfig,
    close: async () => {
      await Promise.all([good.close(), broken.close(), slow.close(), axl.close()]);
    },
  };
}
