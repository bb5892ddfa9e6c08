/**
 * `xfed completion bash|zsh|fish`: shell completion scripts generated from the command tree
 * itself (commands, subcommands, their options and the global ones), so they never drift from
 * the real command line. zsh uses the bash script through bashcompinit.
 */
import type { Command, Option } from 'commander';
import { UsageError } from '../core/errors.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Node {
  /** `probe`, `dialback key`. */
  path: string;
  description: string;
  options: readonly Option[];
}

/** Every command and subcommand, with the options it takes (not the global ones). */
function nodes(program: Command): Node[] {
  const out: Node[] = [];
  const visit = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      const path = prefix ? `${prefix} ${sub.name()}` : sub.name();
      out.push({ path, description: sub.description(), options: sub.options });
      visit(sub, path);
    }
  };
  visit(program, '');
  return out;
}

const flagsOf = (options: readonly Option[]) => options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));

/** Words are plain (command names, --flags): nothing a shell would expand. */
const SAFE = /^[A-Za-z0-9_.:=-]+$/;

function words(list: readonly string[]): string {
  return list.filter((w) => SAFE.test(w)).join(' ');
}

function bash(program: Command): string {
  const all = nodes(program);
  const top = all.filter((n) => !n.path.includes(' ')).map((n) => n.path);
  const subs = all.filter((n) => n.path.includes(' ')).map((n) => n.path.replace(' ', ':'));
  const global = flagsOf(program.options);
  const cases = all.map((n) => {
    const children = all.filter((c) => c.path.startsWith(`${n.path} `) && !c.path.slice(n.path.length + 1).includes(' ')).map((c) => c.path.split(' ').pop()!);
    return `    "${n.path}") words="${words([...children, ...flagsOf(n.options), ...global])}" ;;`;
  });
  return `# xfed completion for bash. Load it with: eval "$(xfed completion bash)"
# or save it: xfed completion bash > ~/.local/share/bash-completion/completions/xfed
_xfed() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" sub="" w i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [[ -z "$cmd" ]]; then
      case " ${words(top)} " in *" $w "*) cmd="$w" ;; esac
    elif [[ -z "$sub" ]]; then
      case " ${words(subs)} " in *" $cmd:$w "*) sub="$w" ;; esac
    fi
  done
  case "$prev" in
    --format) COMPREPLY=($(compgen -W "human json junit github html" -- "$cur")); return ;;
  esac
  case "$cmd\${sub:+ $sub}" in
${cases.join('\n')}
    *) words="${words([...top, 'help', ...global])}" ;;
  esac
  if [[ "$cur" == -* || -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(printf '%s\\n' $words | grep -v '^-')" -- "$cur"))
  fi
}
complete -o default -F _xfed xfed
`;
}

function zsh(program: Command): string {
  return `#compdef xfed
# xfed completion for zsh (the bash completion, through bashcompinit).
# Load it with: eval "$(xfed completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(program).split('\n').filter((l) => !l.startsWith('#')).join('\n')}`;
}

/** Single-quoted for fish. */
const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishOption(o: Option, condition: string): string {
  const parts = ['complete -c xfed'];
  if (condition) parts.push(`-n ${fq(condition)}`);
  if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
  if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
  if (o.argChoices) parts.push(`-x -a ${fq(o.argChoices.join(' '))}`);
  else if (o.required || o.optional) parts.push('-r');
  parts.push(`-d ${fq(o.description)}`);
  return parts.join(' ');
}

function fish(program: Command): string {
  const all = nodes(program);
  const top = all.filter((n) => !n.path.includes(' '));
  const lines = ['# xfed completion for fish. Load it with: xfed completion fish | source', '# or save it: xfed completion fish > ~/.config/fish/completions/xfed.fish'];
  for (const o of program.options) lines.push(fishOption(o, ''));
  for (const n of top) lines.push(`complete -c xfed -n '__fish_use_subcommand' -a ${n.path} -d ${fq(n.description)}`);
  for (const n of all) {
    const [cmd, sub] = n.path.split(' ');
    if (sub) lines.push(`complete -c xfed -n ${fq(`__fish_seen_subcommand_from ${cmd}`)} -a ${sub} -d ${fq(n.description)}`);
    const condition = sub ? `__fish_seen_subcommand_from ${cmd}; and __fish_seen_subcommand_from ${sub}` : `__fish_seen_subcommand_from ${cmd}`;
    for (const o of n.options) lines.push(fishOption(o, condition));
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string, program: Command): string {
  if (shell === 'bash') return bash(program);
  if (shell === 'zsh') return zsh(program);
  if (shell === 'fish') return fish(program);
  throw new UsageError(`completion: unknown shell "${shell}" (use ${SHELLS.join(', ')})`);
}
