/**
 * How an input field (the logical, flag-free name domain code puts in an InputError:
 * `axl.server`, `dns.doh`, `probe.secret_file`) is named to the person who wrote it:
 * on the command line by its flag (`--server`), in `xfed doctor` by its config key
 * (`axl.server`). The only place that knows both spellings.
 */
import { InputError, UsageError } from '../core/errors.js';

/** Fields whose flag is not `--` + the last segment with `_` turned into `-`. */
const FLAGS: Record<string, string> = {
  domain: 'invalid domain',
  'axl.version': '--axl-version',
  'axl.expect': '--expect',
  'axl.password': 'the AXL password',
  'dns.resolver': '--resolver',
  'dns.resolvers': '--resolver',
  'dns.tcp': '--tcp',
  'dns.file': '--file',
  'probe.file': '--file',
  'probe.resolver': '--resolver',
  'probe.expiry_warn_days': '--expires-days',
  'probe.dns_tcp': '--dns-tcp',
  'probe.cert_file': '--cert',
  'probe.key_file': '--key',
  'probe.alias': '--alias',
  'probe.aliases': '--alias',
  'dialback.stream_id': '--stream-id',
  'dialback.key_file': '--key-file',
  'dialback.secret_file': '--secret-file',
  'diagnose.rules': '--rules',
  'diagnose.rules_file': '--rules',
  rules_file: '--rules',
  'diagnose.input': 'input',
  'report.input': 'input',
  'doctor.config': '--config',
  logs: 'input',
};

/** Fields whose doctor config key is not the field itself. */
const CONFIG_KEYS: Record<string, string> = {
  domain: 'invalid domain',
  'dns.resolver': 'dns.resolvers',
  'probe.resolver': 'dns.resolvers',
  'probe.doh': 'dns.doh',
  'probe.dns_tcp': 'dns.tcp',
  'probe.expires_days': 'probe.expiry_warn_days',
  'probe.alias': 'aliases',
  'diagnose.rules': 'rules_file',
  'diagnose.rules_file': 'rules_file',
  'diagnose.input': 'logs',
  'doctor.config': 'config',
  'axl.version': 'axl.version',
  'axl.password': 'axl.password_file',
};

/** The flag a field is given with: `axl.password_file` -> `--password-file`. */
export function flagOf(field: string): string {
  const known = FLAGS[field];
  if (known) return known;
  const last = field.split('.').pop() ?? field;
  return `--${last.replace(/_/g, '-')}`;
}

/** The doctor config key of a field: `dns.resolver` -> `dns.resolvers`. */
export function configKeyOf(field: string): string {
  return CONFIG_KEYS[field] ?? field;
}

/** An InputError worded for doctor (its config keys); other errors unchanged. */
export function inConfigTerms(err: unknown): unknown {
  if (!(err instanceof InputError)) return err;
  return new UsageError(err.worded(configKeyOf), err.code);
}

/** The message of any usage error as the command line's user should read it. */
export function wordedFor(err: UsageError, command: string | undefined): string {
  if (!(err instanceof InputError)) return err.message;
  return err.worded(command === 'doctor' ? configKeyOf : flagOf);
}

/** Options whose values are never shown in a usage error. */
const SECRETISH = /pass|secret|key|token|cookie|auth|cred/i;

/**
 * A commander usage message without option values: `unknown option '--passwrod=hunter2'`
 * becomes `unknown option '--passwrod'`, and the argument of a secret-ish option is hidden.
 */
export function scrubUsageMessage(text: string): string {
  let out = text.replace(/'(-{1,2}[^'=\s]*)=[^']*'/g, "'$1'");
  if (SECRETISH.test(out)) out = out.replace(/(option '[^']*' argument )'[^']*'/g, '$1(value not shown)');
  return out;
}
