/**
 * The /probe exposition from recorded results (no sockets): every metric name, value and label
 * set, escaping, and what is left out when a check has nothing to say.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { finding, targetResult, type TargetResult } from '../../src/core/result.js';
import { checkExposition, labelValue, num } from '../../src/serve/exposition.js';
import { checkBudget } from '../../src/serve/modules.js';
import { scrapeTimeoutMs } from '../../src/serve/server.js';

const f = (id: string, severity: 'error' | 'warning' | 'info') => finding({ id, severity, target: 'peer.test', title: id, detail: '', evidence: [{ label: 'secret-ish', value: 'never-in-labels' }], fix: '' });

function probeResult(outcome: string | undefined, ids: Array<[string, 'error' | 'warning' | 'info']>): TargetResult {
  return targetResult(
    'peer.test',
    ids.map(([id, s]) => f(id, s)),
    {
      probe: {
        peer: 'peer.test',
        from: 'us.test',
        attempts: [],
        resolve: { found: 2, kept: 2, failed: false, responses: [] },
        tls: { mode: 'starttls', required: true, chain: [{ notAfter: '2027-01-02T03:04:05.000Z' }] },
        ...(outcome ? { dialback: { key: 'xep-0220', outcome } } : {}),
      },
    },
    { timings: { dns: 1.5, tcp: 0.25, tls: 12, dialback: 3 } },
  );
}

describe('checkExposition', () => {
  it('a dialback check: up, success, phases, certificate, one-hot dialback result, SRV targets, findings', () => {
    const text = checkExposition({ check: 'dialback', result: probeResult('invalid', [['probe.dialback.invalid', 'error'], ['probe.cert.expires-soon', 'warning'], ['probe.cert.expires-soon', 'warning']]), seconds: 0.0175 });
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(samples, [
      'xfed_up 1',
      'xfed_check_success 0',
      'xfed_phase_duration_seconds{phase="dns"} 0.0015',
      'xfed_phase_duration_seconds{phase="tcp"} 0.00025',
      'xfed_phase_duration_seconds{phase="tls"} 0.012',
      'xfed_phase_duration_seconds{phase="dialback"} 0.003',
      'xfed_phase_duration_seconds{phase="total"} 0.0175',
      `xfed_cert_not_after_timestamp_seconds ${Date.parse('2027-01-02T03:04:05.000Z') / 1000}`,
      'xfed_dialback_result{result="valid"} 0',
      'xfed_dialback_result{result="invalid"} 1',
      'xfed_dialback_result{result="error"} 0',
      'xfed_dialback_result{result="timeout"} 0',
      'xfed_dialback_result{result="closed"} 0',
      'xfed_dialback_result{result="not-offered"} 0',
      'xfed_dialback_result{result="skipped"} 0',
      'xfed_dns_srv_targets 2',
      'xfed_findings{id="probe.cert.expires-soon",severity="warning"} 2',
      'xfed_findings{id="probe.dialback.invalid",severity="error"} 1',
    ]);
    assert.ok(!text.includes('never-in-labels'), 'evidence never becomes a label');
    // Every family has its HELP and TYPE once, before its samples.
    for (const name of ['xfed_up', 'xfed_check_success', 'xfed_phase_duration_seconds', 'xfed_cert_not_after_timestamp_seconds', 'xfed_dialback_result', 'xfed_dns_srv_targets', 'xfed_findings']) {
      assert.equal(text.split('\n').filter((l) => l === `# TYPE ${name} gauge`).length, 1, name);
    }
  });

  it('a check that did not end: up 0, success 0, only the total phase, no dialback outcome', () => {
    const text = checkExposition({ check: 'probe', seconds: 2 });
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(samples.slice(0, 3), ['xfed_up 0', 'xfed_check_success 0', 'xfed_phase_duration_seconds{phase="total"} 2']);
    assert.deepEqual(samples.filter((s) => s.startsWith('xfed_dialback_result') && !s.endsWith(' 0')), []);
    assert.ok(!text.includes('xfed_cert_not_after'), 'no certificate seen, no series');
  });

  it('a dns check counts server SRV targets (not client ones, not a "." decline)', () => {
    const rec = (target: string) => ({ target, port: 5269, priority: 0, weight: 0 });
    const r = targetResult('d.test', [f('dns.srv.ok', 'info')], {
      dns: {
        services: [
          { service: 'xmpp-server', records: [rec('a.d.test'), rec('b.d.test')] },
          { service: 'xmpps-server', records: [rec('.')] },
          { service: 'xmpp-client', records: [rec('c.d.test')] },
        ],
      },
    });
    const text = checkExposition({ check: 'dns', result: r, seconds: 0.01 });
    assert.match(text, /^xfed_dns_srv_targets 2$/m);
    assert.match(text, /^xfed_check_success 1$/m);
    assert.ok(!text.includes('xfed_dialback_result'), 'no dialback series for a dns check');
  });

  it('escapes label values and formats numbers', () => {
    assert.equal(labelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    assert.equal(num(1), '1');
    assert.equal(num(0.1 + 0.2), '0.3');
    assert.equal(num(Number.NaN), 'NaN');
  });
});

describe('the check budget', () => {
  it('is the scrape timeout less 0.5 s, cut by the module timeout, never under 100 ms', () => {
    assert.equal(scrapeTimeoutMs('10'), 9500);
    assert.equal(scrapeTimeoutMs('0.2'), 100);
    assert.equal(scrapeTimeoutMs('nonsense'), undefined);
    assert.equal(scrapeTimeoutMs(undefined), undefined);
    assert.equal(checkBudget({ name: 'p', check: 'probe' }, 9500, 10_000), 9500);
    assert.equal(checkBudget({ name: 'p', check: 'probe', timeout: 3000 }, 9500, 10_000), 3000);
    assert.equal(checkBudget({ name: 'p', check: 'probe' }, undefined, 10_000), 10_000);
  });
});
