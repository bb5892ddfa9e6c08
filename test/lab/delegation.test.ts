// @needs-servers: starts Debian servers (unbound, Prosody, ejabberd); `npm run test:unit` leaves this file out.
/**
 * Identity with delegation against a real server (issue 14 item 5): the lab's Prosody hosts
 * hosted.test with a hosting provider's certificate that names only the SRV target (xmpp-a.test).
 * Without delegation that is probe.cert.name-mismatch; hosted.test's POSH file (RFC 7711), served
 * over HTTPS on 127.0.0.44 with a lab-CA certificate, delegates it: probe.cert.delegated. A POSH
 * file that lists another certificate leaves the mismatch and adds probe.posh.mismatch.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XFED_BIN } from '../helpers/servers.js';
import { labMissing, startLab, type Lab } from './lab.js';

const skip = labMissing();
const WEB = '127.0.0.44';

interface Finding {
  id: string;
  severity: string;
  title: string;
}

function probe(lab: Lab, extra: string[] = []): Promise<{ code: number; findings: Finding[]; data: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const args = [XFED_BIN, 'probe', 'hosted.test', '--no-dialback', '--json', '--resolver', lab.resolver, '--ca', lab.caFile, ...extra];
    execFile(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      try {
        const doc = JSON.parse(stdout);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, findings: doc.targets[0].findings, data: doc.targets[0].data.probe });
      } catch {
        reject(new Error(`no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

const ids = (f: Finding[]) => f.map((x) => `${x.severity}:${x.id}`).sort();
const fingerprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64');

describe('delegation on a real server: Prosody hosts hosted.test with a certificate for xmpp-a.test', { skip }, () => {
  let lab: Lab;
  let web: Server | undefined;

  before(async () => {
    lab = await startLab();
    const provider = readFileSync(join(lab.certs, 'provider.crt'), 'utf8');
    const other = readFileSync(join(lab.certs, 'a.test.crt'), 'utf8');
    let current = fingerprint(provider);
    const site = { key: readFileSync(join(lab.certs, 'hosted-web.key')), cert: readFileSync(join(lab.certs, 'hosted-web.crt')) };
    web = createServer(site, (req, res) => {
      if (req.url === '/switch-to-other') {
        current = fingerprint(other);
        res.end('ok');
        return;
      }
      res.writeHead(req.url === '/.well-known/posh/xmpp-server.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ fingerprints: [{ 'sha-256': current }], expires: 86400 }));
    });
    await new Promise<void>((ok, ko) => {
      web!.once('error', ko);
      web!.listen(443, WEB, () => ok());
    });
  });

  after(() => {
    web?.closeAllConnections();
    web?.close();
  });

  it('a POSH file that lists the presented certificate: probe.cert.delegated (RFC 7711), not name-mismatch', async () => {
    const r = await probe(lab);
    assert.deepEqual(ids(r.findings), ['info:probe.cert.delegated', 'info:probe.posh.match'], JSON.stringify(r.findings));
    assert.equal(r.code, 0);
    assert.equal(r.data.connected.address, '127.0.0.2');
    assert.equal(r.data.tls.identity.matched, false, 'the certificate itself does not name hosted.test');
    assert.equal(r.data.posh.outcome, 'found');
    assert.match(r.findings.find((f) => f.id === 'probe.cert.delegated')!.title, /POSH \(RFC 7711\)/);
  });

  it('--no-posh: the same server is a name mismatch', async () => {
    const r = await probe(lab, ['--no-posh']);
    assert.deepEqual(ids(r.findings), ['error:probe.cert.name-mismatch']);
    assert.equal(r.code, 1);
  });

  it('a POSH file that lists another certificate: name-mismatch and posh.mismatch, both errors', async () => {
    // Switch the site to list a.test's certificate instead of the provider's.
    const { request } = await import('node:https');
    await new Promise<void>((ok, ko) => {
      const q = request({ host: WEB, port: 443, path: '/switch-to-other', servername: 'hosted.test', ca: readFileSync(lab.caFile) }, (res) => {
        res.resume();
        res.on('end', ok);
      });
      q.on('error', ko);
      q.end();
    });
    const r = await probe(lab);
    assert.deepEqual(ids(r.findings), ['error:probe.cert.name-mismatch', 'error:probe.posh.mismatch']);
    assert.equal(r.data.posh.outcome, 'found');
  });
});
