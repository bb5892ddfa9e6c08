/**
 * `xfed completion bash|zsh|fish` (issue 13): scripts generated from the command tree. The bash
 * one is run in bash (completing commands, subcommands, options, --format values); zsh and fish
 * are checked by their shells when installed.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { xfed } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

/** What the bash completion offers for a command line whose last word is being typed. */
function complete(script: string, line: string[]): string[] {
  const words = line.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source "$1"; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _xfed; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', script], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  test('bash: commands, subcommands, their options and the global ones, --format values', async () => {
    const r = await xfed(['completion', 'bash']);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, 'xfed.bash');
    writeFileSync(file, r.stdout);
    execFileSync('bash', ['-n', file]);
    assert.deepEqual(complete(file, ['xfed', 'pro']), ['probe']);
    assert.deepEqual(complete(file, ['xfed', 'dialback', '']), ['key', 'verify']);
    assert.deepEqual(complete(file, ['xfed', 'dialback', 'verify', 'h.example', '--orig']), ['--originating']);
    assert.deepEqual(complete(file, ['xfed', '--format', '']), ['human', 'json', 'junit', 'github', 'html']);
    assert.deepEqual(complete(file, ['xfed', 'probe', 'x.example', '--js']), ['--json']);
    assert.deepEqual(complete(file, ['xfed', 'rules', 's']), ['show']);
    assert.ok(complete(file, ['xfed', 'doctor', '--']).includes('--demo'));
  });

  test('zsh and fish scripts', async (t) => {
    const zsh = await xfed(['completion', 'zsh']);
    assert.equal(zsh.code, 0);
    assert.match(zsh.stdout, /^#compdef xfed\n/);
    assert.match(zsh.stdout, /bashcompinit/);
    const fish = await xfed(['completion', 'fish']);
    assert.equal(fish.code, 0);
    const lines = fish.stdout.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    assert.ok(lines.every((l) => l.startsWith('complete -c xfed ')), fish.stdout);
    assert.ok(lines.some((l) => l.startsWith("complete -c xfed -n '__fish_use_subcommand' -a doctor -d '")));
    assert.ok(lines.some((l) => l.includes("__fish_seen_subcommand_from dialback; and __fish_seen_subcommand_from verify") && l.includes('-l originating')));
    for (const [shell, text, args] of [['zsh', zsh.stdout, ['-n']], ['fish', fish.stdout, ['--no-execute']]] as const) {
      if (!has(shell)) {
        t.diagnostic(`${shell} is not installed: its syntax is not checked`);
        continue;
      }
      const file = join(dir, `xfed.${shell}`);
      writeFileSync(file, text);
      execFileSync(shell, [...args, file]);
    }
  });

  test('an unknown shell is a usage error', async () => {
    const r = await xfed(['completion', 'tcsh']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'xfed: completion: unknown shell "tcsh" (use bash, zsh, fish)\n']);
  });
});
