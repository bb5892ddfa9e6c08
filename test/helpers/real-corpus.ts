/**
 * The real-log corpus (fixtures/logs/real/<scenario>/{excerpt.log,expect,SOURCES.md}):
 * reading its expectations, and what counts as the first cause xfed names.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../src/core/result.js';
import { FIXTURES } from './servers.js';

export const REAL = join(FIXTURES, 'logs', 'real');
const KINDS = ['failure', 'clean', 'decoy'] as const;

export interface Scenario {
  name: string;
  kind: (typeof KINDS)[number];
  /** The expected first cause, or null for clean and decoy logs. */
  first: string | null;
}

export function readScenarios(): Scenario[] {
  return readdirSync(REAL, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const text = readFileSync(join(REAL, d.name, 'expect'), 'utf8');
      const kind = /^kind:\s*(\S+)/m.exec(text)?.[1];
      const first = /^first:\s*(\S+)/m.exec(text)?.[1];
      assert.ok(KINDS.includes(kind as Scenario['kind']), `${d.name}/expect: kind must be failure, clean or decoy`);
      assert.ok(first, `${d.name}/expect: no "first:" line`);
      assert.ok(existsSync(join(REAL, d.name, 'SOURCES.md')), `${d.name}: no SOURCES.md`);
      assert.equal(first === 'none', kind !== 'failure', `${d.name}: a failure names its first cause, a clean or decoy log "none"`);
      return { name: d.name, kind: kind as Scenario['kind'], first: first === 'none' ? null : first };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The first cause xfed names: the first error or warning finding that is not about the input itself. */
export function firstCause(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.severity !== 'info' && !f.id.startsWith('diagnose.input.'));
}

