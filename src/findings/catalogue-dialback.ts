/** The findings of `xfed dialback verify` (a replayed db:verify, src/probe/). */
import { REF, section } from './refs.js';
import type { CatalogueEntry } from './types.js';

const VERIFY = section(REF.xep0220, 'protocol-verify');

export const DIALBACK_FINDINGS: readonly CatalogueEntry[] = [
  {
    id: 'dialback.verify.valid',
    source: 'dialback',
    severity: 'info',
    title: 'The authoritative server confirmed the key (valid)',
    summary: '`xfed dialback verify`: the authoritative server confirmed the key',
    meaning: 'The authoritative server generated this key for the stream id, from and to given: its dialback secret is the one that made the key.',
    fix: '',
    references: [VERIFY],
  },
  {
    id: 'dialback.verify.invalid',
    source: 'dialback',
    severity: 'error',
    title: 'The authoritative server did not confirm the key (invalid)',
    summary: 'it did not (secret differs between cluster nodes, key/id copied wrongly, from/to swapped; 40-hex-digit Cisco keys are flagged)',
    meaning:
      'The authoritative server did not generate this key for the stream id, from and to given: its secret differs (another cluster node, a restart with a random secret), the key or id were copied wrongly, or from/to are swapped. A key of 40 hex digits has the size of Cisco XCP keys, whose scheme is not the XEP-0220 recommended one.',
    fix: 'Copy from, to, id and the key from the db:verify line exactly; check that every node of the originating cluster shares one dialback secret.',
    references: [VERIFY],
  },
  {
    id: 'dialback.verify.mismatched-answer',
    source: 'dialback',
    severity: 'error',
    title: 'The authoritative server answered for another stream or domain pair',
    summary: 'a `db:verify` answer whose from/to/id differ from what was asked',
    meaning: 'XEP-0220 §2.3: the answer to a db:verify names the same from, to and stream id as the question. An answer for another stream (even type=\'valid\') confirms nothing.',
    fix: 'Read the authoritative server\'s logs; a proxy or a multi-domain server may be mixing streams.',
    references: [VERIFY],
  },
  {
    id: 'dialback.verify.error',
    source: 'dialback',
    severity: 'error',
    title: 'The db:verify was answered with an error or a closed stream',
    summary: 'a stream or dialback error, or a closed stream, instead of an answer',
    meaning: 'The server could not or would not verify the key; host-unknown or item-not-found means it does not host the domain.',
    fix: 'Send the db:verify to the authoritative server of the originating domain (its _xmpp-server SRV target).',
    references: [VERIFY],
  },
  {
    id: 'dialback.verify.timeout',
    source: 'dialback',
    severity: 'error',
    title: 'No db:verify answer in time',
    summary: 'no answer in time',
    meaning: 'The server accepted the stream but gave no db:verify answer within the dialback timeout.',
    fix: 'Check that this host is the authoritative server of the domain and that its dialback is enabled.',
    references: [VERIFY],
  },
];
