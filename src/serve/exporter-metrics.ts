/**
 * `/metrics`: the exporter's own health, for Prometheus to scrape like any exporter:
 * requests by path and status code, request durations (a histogram), checks in flight,
 * checks refused over the bound, and the process's memory and start time.
 */
import { Exposition } from './exposition.js';

/** Histogram buckets of request durations (seconds): from a DNS answer to a slow dialback. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The paths counted by name; anything else is counted as "other" (no unbounded labels). */
const PATHS = new Set(['/probe', '/metrics', '/-/healthy', '/']);

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

export class ExporterMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly checks = new Map<string, number>();
  inFlight = 0;
  rejected = 0;
  private readonly started = Date.now() / 1000;

  static pathLabel(path: string): string {
    return PATHS.has(path) ? path : 'other';
  }

  /** One answered request. */
  request(path: string, code: number, seconds: number): void {
    const p = ExporterMetrics.pathLabel(path);
    const k = `${p} ${code}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    let h = this.durations.get(p);
    if (!h) this.durations.set(p, (h = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h!.buckets[i]!++;
    });
    h.sum += seconds;
    h.count++;
  }

  /** One finished check, by module check and whether it succeeded. */
  check(check: string, success: boolean): void {
    const k = `${check} ${success ? 1 : 0}`;
    this.checks.set(k, (this.checks.get(k) ?? 0) + 1);
  }

  text(): string {
    const e = new Exposition();
    e.family('xfed_exporter_requests_total', 'counter', 'HTTP requests answered, by path and status code.');
    for (const [k, n] of [...this.requests].sort()) {
      const [path, code] = k.split(' ');
      e.sample('xfed_exporter_requests_total', n, { path: path!, code: code! });
    }
    e.family('xfed_exporter_request_duration_seconds', 'histogram', 'Time to answer an HTTP request, by path.');
    for (const [path, h] of [...this.durations].sort()) {
      DURATION_BUCKETS.forEach((le, i) => e.sample('xfed_exporter_request_duration_seconds_bucket', h.buckets[i]!, { path, le: String(le) }));
      e.sample('xfed_exporter_request_duration_seconds_bucket', h.count, { path, le: '+Inf' });
      e.sample('xfed_exporter_request_duration_seconds_sum', h.sum, { path });
      e.sample('xfed_exporter_request_duration_seconds_count', h.count, { path });
    }
    e.family('xfed_exporter_checks_total', 'counter', 'Checks run, by check and success.');
    for (const [k, n] of [...this.checks].sort()) {
      const [check, success] = k.split(' ');
      e.sample('xfed_exporter_checks_total', n, { check: check!, success: success! });
    }
    e.family('xfed_exporter_checks_in_flight', 'gauge', 'Checks running now (a timed-out check counts until it really ends).').sample('xfed_exporter_checks_in_flight', this.inFlight);
    e.family('xfed_exporter_checks_rejected_total', 'counter', 'Scrapes refused with 429 because the bound on checks in flight was reached.').sample('xfed_exporter_checks_rejected_total', this.rejected);
    e.family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.').sample('process_resident_memory_bytes', process.memoryUsage.rss());
    e.family('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.').sample('process_start_time_seconds', Math.floor(this.started));
    return e.text();
  }
}
