/**
 * Hostile text at output: strings a peer, a server, a log or a file controls (newlines,
 * workflow commands, ESC/OSC/BEL sequences, bidi overrides, NUL, C1) rendered by the human
 * report in every place they can reach, and secret shapes in diagnose evidence end to end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import tar from 'tar-stream';
import { renderTranscript } from '../../src/cli/probe-output.js';
import { buildRun, finding, targetResult, type RunResult, type TargetResult } from '../../src/core/result.js';
import { renderHuman, type SectionRenderer } from '../../src/report/human.js';
import { neutralizeWorkflowCommands, sanitizeLine, sanitizeMultiline } from '../../src/report/sanitize.js';
import { axlSection } from '../../src/report/sections/axl-verify.js';
import { dnsSection } from '../../src/report/sections/check-dns.js';
import { diagnoseSection } from '../../src/report/sections/diagnose.js';
import { renderDoctorHuman } from '../../src/report/sections/doctor.js';
import { probeSection } from '../../src/report/sections/probe.js';
import { makeStyle } from '../../src/report/style.js';
import { json, xfed } from '../helpers/cli.js';
import { SECRET_SHAPES } from '../redact/shapes.js';

const tmp = mkdtempSync(join(tmpdir(), 'xfed-hostile-output-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A hostile string carrying a marker, so that a test can tell the field was really printed. */
function evil(tag: string): string {
  return (
    `${tag}\n::error::${tag}\r\n  ::add-mask::${tag} ##[group]${tag} \u001b[2J\u001b]8;;http://evil.test/\u0007${tag}\u001b]8;;\u0007` +
    `\u0007 \u202e${tag}\u2066 \u0000 \u009b31m \u2028::warning::${tag}\u0085::notice::${tag}\u007f`
  );
}

/** Any character that must never reach the terminal raw (the newline separates lines). */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** What the GitHub runner takes as a command: `::` first after white space (.NET trims Unicode space), or `##[` anywhere. */
function commandLines(text: string): string[] {
  // The runner also splits lines at a bare CR.
  return text.split(/\r\n|\r|\n/).filter((l) => /^[\s\u0085\u00a0]*::/u.test(l) || l.includes('##['));
}

function assertSafe(text: string, color: boolean, tags: string[]): void {
  // Colour codes are xfed's own (SGR only); nothing else may carry ESC.
  // eslint-disable-next-line no-control-regex
  const plain = color ? text.replace(/\u001b\[[0-9;]*m/g, '') : text;
  const raw = RAW.exec(plain);
  assert.equal(raw, null, raw ? `raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(plain.slice(Math.max(0, raw.index - 40), raw.index + 20))}` : '');
  assert.deepEqual(commandLines(text), [], 'lines the GitHub runner would run as workflow commands');
  // Case-insensitive: the AXL section upper-cases column names.
  const lower = plain.toLowerCase();
  for (const tag of tags.map((x) => x.toLowerCase())) {
    assert.ok(lower.includes(tag), `${tag} was not printed at all`);
    // Each field shows its hostile content escaped and readable: a one-line field on its own line,
    // a multi-line one (detail, fix) with its line breaks kept and the command neutralised.
    const oneLine = lower.includes(`${tag}\\n::error::${tag}\\r\\n`);
    const multiLine = new RegExp(`${tag}\\n\\s*:\\\\:error::${tag}\\\\r\\n`).test(lower);
    assert.ok(oneLine || multiLine, `${tag} not escaped visibly`);
  }
}

function hostileFinding(tag: string, target: string): ReturnType<typeof finding> {
  return finding({
    id: 'probe.stream.error',
    severity: 'error',
    title: `The peer closed the stream: ${evil(`${tag}title`)}`,
    detail: `${'word '.repeat(19)}::error::wrapped-${tag} ${'x'.repeat(95)} ##[endgroup] ${evil(`${tag}detail`)}`,
    evidence: [{ label: evil(`${tag}label`), value: evil(`${tag}value`), source: evil(`${tag}source`), line: 4, count: 2 }],
    fix: `${'fix '.repeat(23)}::add-mask::wrapped-${tag} ${evil(`${tag}fix`)}`,
    target,
  });
}

const dnsData = {
  dns: {
    domain: 'peer.test',
    unicode: 'peer.test',
    resolver: evil('Dresolver'),
    services: [
      {
        service: 'xmpp-server',
        name: '_xmpp-server._tcp.peer.test',
        rcode: 'NOERROR',
        records: [
          { name: '_xmpp-server._tcp.peer.test', priority: 0, weight: 5, port: 5269, target: evil('Dtarget'), ttl: 300, tls: 'starttls', rank: 1, share: 1, cname: evil('Dcname'), addresses: [{ address: '10.0.0.1', family: 4, ttl: 300, class: 'private' }], resolvable: true },
        ],
      },
    ],
    domainAddresses: [],
    domainRcode: 'NOERROR',
    queries: [{ name: evil('Dqname'), type: 'SRV', rcode: 'NOERROR', resolver: '127.0.0.10', transport: 'udp', truncated: false, authoritative: false, ms: 1.5, records: [] }],
  },
};

const cert = (tag: string) => ({
  subject: evil(`${tag}subject`),
  issuer: evil(`${tag}issuer`),
  serial: '01',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  daysLeft: 33,
  sha256: 'AA:BB',
  selfIssued: false,
  names: { dnsNames: [evil(`${tag}san`)], xmppAddrs: [evil(`${tag}xmppaddr`)], srvNames: [evil(`${tag}srvname`)], ipAddresses: [], cns: [evil(`${tag}cn`)] },
});

const probeData = {
  peer: 'peer.test',
  from: 'us.test',
  attempts: [{ host: evil('Pahost'), address: '192.0.2.1', port: 5269, tls: 'starttls', source: 'srv', ok: false, error: evil('Paerror'), code: 'ECONNREFUSED', ms: 3 }],
  connected: { host: evil('Pchost'), address: '192.0.2.2', port: 5269, tls: 'starttls' },
  stream: { id: evil('Psid'), from: evil('Psfrom'), version: '1.0', dialbackNamespace: true, features: [evil('Pfeature')] },
  tls: {
    mode: 'starttls',
    required: true,
    version: 'TLSv1.3',
    cipher: evil('Pcipher'),
    alpn: false,
    authorized: false,
    authorizationError: evil('Pautherr'),
    chain: [cert('Pleaf'), cert('Pca')],
    identity: { matched: true, method: 'dns', name: evil('Pidname'), domain: 'peer.test' },
  },
  secureStream: { id: evil('Pssid'), from: 'peer.test', dialbackNamespace: true, features: [evil('Pssfeature')] },
  dialback: { key: 'xep-0220', outcome: 'error', condition: evil('Pdbcond'), text: evil('Pdbtext'), ms: 12 },
  streamError: { condition: evil('Pstcond'), text: evil('Psttext') },
};

const axlData = {
  url: 'https://cups.test:8443/axl/',
  user: evil('Auser'),
  axlVersion: '14.0',
  versionsTried: ['14.0'],
  sql: 'select * from xmpps2snodes',
  table: 'xmpps2snodes',
  rows: [{ pkid: evil('Apkid'), cp_id: evil('Acpid') }],
  rowCount: 1,
  expected: [],
  unexpected: [],
  federation: { checked: true, services: [{ servername: evil('Aserver'), service: evil('Aservice'), isactive: 't' }] },
  tls: { verify: true, peer: cert('Acert') },
  http: { requests: 2, ms: [3, 4] },
};
const axlSqlData = { ...axlData, table: undefined, rows: [{ [evil('Acolumn')]: evil('Acell'), ['__proto__']: evil('Aproto') }] };

const diagnoseData = {
  diagnose: {
    rules: 25,
    inputs: [{ source: evil('Gmember'), kind: 'log', gzip: true, product: 'expressway', bytes: 10, lines: 1, matched: 1 }],
    inputsTotal: 1,
    totals: { bytes: 10, lines: 1, matched: 1, skipped: 0, results: 0 },
    causes: [],
  },
};

function run(command: string, targets: TargetResult[]): RunResult {
  return buildRun(command, {}, targets, new Date(), false);
}

const CASES: Array<{ name: string; command: string; section: SectionRenderer; data: unknown; tags: string[] }> = [
  { name: 'check-dns (SRV targets, CNAMEs, query names)', command: 'check-dns', section: dnsSection, data: dnsData, tags: ['Dtarget', 'Dqname', 'Dresolver'] },
  {
    name: 'probe (attempts, stream header attributes, TLS, certificate names, dialback error)',
    command: 'probe',
    section: probeSection,
    data: { probe: probeData },
    tags: ['Pahost', 'Paerror', 'Pchost', 'Psid', 'Psfrom', 'Pfeature', 'Pcipher', 'Pautherr', 'Pleafsubject', 'Pleafissuer', 'Pleafsan', 'Pleafxmppaddr', 'Pleafsrvname', 'Pcasubject', 'Pidname', 'Pssfeature', 'Pdbcond', 'Pdbtext'],
  },
  { name: 'axl-verify (rows, services, certificate)', command: 'axl-verify', section: axlSection, data: { axl: axlData }, tags: ['Auser', 'Apkid', 'Acpid', 'Aserver', 'Aservice', 'Acertsubject'] },
  { name: 'axl-verify --sql (column names from the server)', command: 'axl-verify', section: axlSection, data: { axl: axlSqlData }, tags: ['Acolumn', 'Acell'] },
  { name: 'diagnose (tar member names)', command: 'diagnose', section: diagnoseSection, data: diagnoseData, tags: ['Gmember'] },
];

describe('human report: hostile strings are escaped and no line is a workflow command', () => {
  for (const c of CASES) {
    for (const color of [false, true]) {
      it(`${c.name}${color ? ', in colour' : ''}`, () => {
        const t = targetResult(evil('Ttarget'), [hostileFinding('F', 'peer.test')], c.data, { display: evil('Tdisplay') });
        const other = targetResult('ok.test', [], {});
        const text = renderHuman(run(c.command, [t, other]), makeStyle(color), { verbose: true, quiet: false, width: 109 }, c.section);
        assertSafe(text, color, [...c.tags, 'Ttarget', 'Tdisplay', 'Ftitle', 'Fdetail', 'Fvalue', 'Flabel', 'Fsource', 'Ffix']);
        // Wrapped text that starts a line with `::` or contains `##[` is neutralised, still readable.
        assert.match(text, /:\\:error::wrapped-F/);
        assert.match(text, /#\\#\[endgroup\]/);
      });
    }
  }

  it('doctor: every check section, ignored findings and target names', () => {
    const data = (check: string, d: object) => ({ check, ...d });
    const targets = [
      targetResult('peer.test', [hostileFinding('F', 'peer.test')], data('dns', dnsData)),
      targetResult('peer.test', [], data('probe', { probe: probeData })),
      targetResult('cups.test', [], { ...data('axl', { axl: axlData }), ignored: [{ id: 'axl.rows.unexpected', title: evil('Ititle'), ignoredBecause: evil('Ireason'), target: 'cups.test' }] }),
      targetResult(evil('Gtarget'), [], data('diagnose', diagnoseData)),
    ];
    for (const color of [false, true]) {
      const text = renderDoctorHuman(run('doctor', targets), makeStyle(color), { verbose: true, quiet: false });
      assertSafe(text, color, ['Dtarget', 'Pdbtext', 'Pleafsan', 'Acpid', 'Gmember', 'Gtarget', 'Ireason', 'Ftitle']);
    }
  });

  it('quiet and default (non-verbose) renderings are safe too', () => {
    for (const opts of [{ verbose: false, quiet: false }, { verbose: false, quiet: true }]) {
      const t = targetResult(evil('Ttarget'), [hostileFinding('F', 'x')], { probe: probeData });
      const text = renderHuman(run('probe', [t]), makeStyle(false), opts, probeSection);
      assertSafe(text, false, ['Ttarget', 'Ftitle']);
    }
  });
});

describe('probe transcript', () => {
  it('peer XML is one escaped line per event, keys redacted, no workflow command', () => {
    const key = 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03';
    const data = {
      ...probeData,
      from: evil('Xfrom'),
      transcript: [
        { t: 1, dir: 'in', text: `<stream:error><text>${evil('Xtext')}</text></stream:error>` },
        { t: 2, dir: 'out', text: `<db:result from='us.test' to='peer.test'>${key}</db:result>` },
        { t: 3, dir: 'in', text: '\n::error::Xline ##[group]x' },
      ],
    };
    const text = renderTranscript([targetResult(evil('Xtarget'), [], { probe: data }) as TargetResult<never>]);
    assertSafe(text, false, ['Xtext', 'Xfrom', 'Xtarget']);
    assert.ok(!text.includes(key), 'dialback key in the transcript');
    assert.match(text, /<db:result from='us\.test' to='peer\.test'>\[redacted\]<\/db:result>/);
    assert.match(text, /RECV \\n::error::Xline #\\#\[group\]x/);
  });
});

describe('sanitize', () => {
  it('escapes visibly; single-line fields stay single-line; multi-line keeps newlines only', () => {
    assert.equal(sanitizeLine('a\nb\r\tc\u001b[2J\u0007\u0000\u007f\u009b\u202e\u2066\u200e\u061c\u2028'), 'a\\nb\\r\\tc\\x1b[2J\\x07\\x00\\x7f\\x9b\\u202e\\u2066\\u200e\\u061c\\u2028');
    assert.equal(sanitizeMultiline('a\nb\r\n\u001b'), 'a\nb\\r\n\\x1b');
    assert.equal(sanitizeLine('plain: café ü 日本 C:\\logs'), 'plain: café ü 日本 C:\\logs');
  });

  it('neutralises workflow commands at line starts (after blanks or colour) and ##[ anywhere', () => {
    assert.equal(neutralizeWorkflowCommands('::error::x\n  ::add-mask::y\n\u001b[31m::warning::z\u001b[39m\nok a::b ##[group]c ###[d'), ':\\:error::x\n  :\\:add-mask::y\n\u001b[31m:\\:warning::z\u001b[39m\nok a::b #\\#[group]c ##\\#[d');
    assert.deepEqual(commandLines(neutralizeWorkflowCommands(':::x\n\u00a0::y\n\t::z')), []);
  });
});

describe('diagnose end to end: hostile inputs and secret shapes', () => {
  it('titles and targets in xfed JSON fed to diagnose print escaped', async () => {
    const f = finding({ id: 'probe.stream.error', severity: 'error', title: evil('Jtitle'), target: evil('Jtarget'), detail: '' });
    const doc = run('probe', [targetResult(evil('Jtarget'), [f], {})]);
    const file = join(tmp, 'result.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await xfed(['--verbose', 'diagnose', file]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assertSafe(r.stdout, false, ['Jtitle', 'Jtarget']);
  });

  it('tar member names print escaped', async () => {
    const pack = tar.pack();
    const name = `logs/${evil('Tmember').replace(/\u0000/g, '')}.log`;
    pack.entry({ name }, '2026-11-24T10:15:00.000+01:00 expc01 tvcs: Module="network.axl" Level="INFO": URL="https://cups:8443/axl/" Function="executeSQLQuery" Status="401"\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const file = join(tmp, 'bundle.tar');
    writeFileSync(file, Buffer.concat(chunks));
    const r = await xfed(['--verbose', 'diagnose', file]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assertSafe(r.stdout, false, ['Tmember']);
  });

  it(`masks all ${SECRET_SHAPES.length} secret shapes in evidence (--json and human)`, async () => {
    // One AXL 599 line per shape, each for its own host, so that each is a piece of evidence of its own.
    const lines = SECRET_SHAPES.map((s, i) => {
      const sec = String(i).padStart(2, '0');
      return `2026-11-24T10:15:${sec}.000+01:00 expc01 tvcs: UTCTime="2026-11-24 09:15:${sec},000" Module="network.axl" Level="INFO":  Action="Received" URL="https://imp${sec}.test:8443/axl/" Function="executeSQLQuery" Status="599" Reason="${s.line.replace(/\n/g, ' ')}"`;
    });
    const file = join(tmp, 'secrets.log');
    writeFileSync(file, lines.join('\n') + '\n');
    const j = await xfed(['--json', 'diagnose', '--max-evidence', '100', file]);
    const doc = json(j);
    // A shape may also trip another rule (`Status="401"` inside a header): evidence of every finding counts.
    const values: string[] = doc.targets[0].findings.flatMap((x: { evidence: Array<{ value: string }> }) => x.evidence.map((e) => e.value));
    assert.equal(new Set(values.flatMap((v) => v.match(/imp\d\d\.test/g) ?? [])).size, SECRET_SHAPES.length, 'evidence for every shape');
    const h = await xfed(['--verbose', 'diagnose', '--max-evidence', '100', file]);
    assert.equal(h.code, j.code);
    for (const [i, s] of SECRET_SHAPES.entries()) {
      const v = values.find((x) => x.includes(`imp${String(i).padStart(2, '0')}.test`));
      assert.ok(v, `no evidence for ${s.name}`);
      assert.ok(v.includes('[redacted]'), `${s.name}: ${v}`);
      for (const secret of s.secrets) {
        assert.ok(!v.includes(secret), `${s.name} leaked in --json: ${v}`);
        assert.ok(!h.stdout.includes(secret), `${s.name} leaked in the human report`);
      }
    }
    assert.ok(!j.stdout.includes('Hq7pw'), 'no secret anywhere in the JSON');
    assert.ok(!h.stdout.includes('Hq7pw'), 'no secret anywhere in the human report');
  });
});
