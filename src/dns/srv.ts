/**
 * SRV ordering. https://www.rfc-editor.org/rfc/rfc2782 (priority, then weighted
 * random choice within a priority) and https://xmpp.org/extensions/xep-0368.html
 * (the `_xmpps-` and `_xmpp-` sets are merged and ordered as one).
 */

export type XmppService = 'xmpp-server' | 'xmpps-server' | 'xmpp-client' | 'xmpps-client';

export interface SrvRecord {
  service: XmppService;
  target: string;
  port: number;
  priority: number;
  weight: number;
  ttl: number;
}

/** Direct TLS for `_xmpps-*` (XEP-0368), STARTTLS for `_xmpp-*` (RFC 6120). */
export function tlsModeOf(service: XmppService): 'direct' | 'starttls' {
  return service.startsWith('xmpps-') ? 'direct' : 'starttls';
}

export const STANDARD_PORT: Record<XmppService, number | undefined> = {
  'xmpp-server': 5269,
  'xmpp-client': 5222,
  // XEP-0368 names no port for direct TLS; 5270/5223 and 443 are common.
  'xmpps-server': undefined,
  'xmpps-client': undefined,
};

/** A `.` target: "service decidedly not available at this domain" (RFC 2782). */
export function isDecline(r: Pick<SrvRecord, 'target'>): boolean {
  return r.target === '' || r.target === '.';
}

/**
 * The order a server tries the targets in: priority ascending, then weighted
 * random selection within each priority (weight-0 records first in the draw).
 */
export function orderSrv<T extends Pick<SrvRecord, 'priority' | 'weight'>>(records: readonly T[], random: () => number = Math.random): T[] {
  const byPriority = new Map<number, T[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: T[] = [];
  for (const prio of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = [...byPriority.get(prio)!].sort((a, b) => (a.weight === 0 ? -1 : 0) - (b.weight === 0 ? -1 : 0));
    while (group.length) {
      const total = group.reduce((s, r) => s + r.weight, 0);
      const pick = Math.floor(random() * (total + 1));
      let sum = 0;
      let idx = group.findIndex((r) => (sum += r.weight) >= pick);
      if (idx < 0) idx = 0;
      out.push(group.splice(idx, 1)[0]!);
    }
  }
  return out;
}

export interface RankedSrv<T> {
  record: T;
  /** 1-based rank in the expected order. */
  rank: number;
  /** Chance (0..1) of being tried first within its priority. */
  share: number;
}

/** A deterministic order for reports: priority ascending, heavier weight first, with each record's share. */
export function rankSrv<T extends Pick<SrvRecord, 'priority' | 'weight'>>(records: readonly T[]): RankedSrv<T>[] {
  const totals = new Map<number, { sum: number; n: number }>();
  for (const r of records) {
    const t = totals.get(r.priority) ?? { sum: 0, n: 0 };
    t.sum += r.weight;
    t.n++;
    totals.set(r.priority, t);
  }
  return [...records]
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
    .map((record, i) => {
      const t = totals.get(record.priority)!;
      return { record, rank: i + 1, share: t.sum === 0 ? 1 / t.n : record.weight / t.sum };
    });
}
