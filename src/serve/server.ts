/**
 * `xfed serve`: an HTTP(S) listener on node:http in the blackbox_exporter convention.
 *   GET /probe?target=<domain>&module=<name>  one check, answered in the text exposition format
 *   GET /metrics                              the exporter's own metrics
 *   GET /-/healthy                            200 while the process serves
 * A bad request is a 400 with one line saying why; checks over the bound get 429; the check's
 * budget is the scrape's (X-Prometheus-Scrape-Timeout-Seconds) less a margin. Error bodies are
 * fixed sentences and validated names: never a secret, never an exception message.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { redactText } from '../core/redact.js';
import type { TargetResult } from '../core/result.js';
import { checkExposition, CONTENT_TYPE } from './exposition.js';
import { ExporterMetrics } from './exporter-metrics.js';
import { checkBudget, runModule, targetProblem } from './modules.js';
import { DEFAULT_CHECK_TIMEOUT_MS, type ServeSetup } from './setup.js';
import { BasicAuth, type WebConfig } from './web-config.js';

/** Longest request target accepted (path and query string). */
export const MAX_URL_LENGTH = 2048;
/** Taken off the scrape timeout so the answer reaches Prometheus before it gives up. */
export const TIMEOUT_OFFSET_MS = 500;

export interface ExporterOptions {
  setup: ServeSetup;
  host: string;
  port: number;
  web?: WebConfig;
  /** Overrides setup.maxConcurrent. */
  maxConcurrent?: number;
  /** A check's budget when the scrape sends no timeout header (default 10 s). */
  defaultTimeoutMs?: number;
  /** One line per problem inside xfed (already redacted). Default: stderr. */
  log?: (line: string) => void;
}

export interface Exporter {
  host: string;
  port: number;
  url: string;
  metrics: ExporterMetrics;
  /** Stops accepting, lets answers in progress finish for up to `graceMs`, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SAFE_NAME = /^[A-Za-z0-9_.-]{1,63}$/;

/** The target and module of a /probe request, or a BadRequest. */
function probeParams(url: URL, setup: ServeSetup) {
  const targets = url.searchParams.getAll('target');
  if (targets.length === 0 || !targets[0]) throw new BadRequest(400, 'target parameter is missing');
  if (targets.length > 1) throw new BadRequest(400, 'target parameter given more than once');
  const modules = url.searchParams.getAll('module');
  if (modules.length > 1) throw new BadRequest(400, 'module parameter given more than once');
  const name = modules[0] || 'probe';
  const mod = setup.modules.get(name);
  if (!mod) {
    const known = [...setup.modules.keys()].join(', ');
    throw new BadRequest(400, SAFE_NAME.test(name) ? `unknown module "${name}" (modules: ${known})` : `unknown module (modules: ${known})`);
  }
  const why = setup.unavailable.get(mod.name);
  if (why) throw new BadRequest(400, `module "${mod.name}" cannot run: ${why}`);
  const target = targets[0].trim();
  const problem = targetProblem(mod, target, setup);
  if (problem) throw new BadRequest(400, problem);
  return { mod, target };
}

/** The scrape's timeout in ms (header, less the offset), or undefined without a usable header. */
export function scrapeTimeoutMs(header: string | string[] | undefined): number | undefined {
  const v = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  return Math.max(100, v * 1000 - TIMEOUT_OFFSET_MS);
}

export async function startExporter(o: ExporterOptions): Promise<Exporter> {
  const metrics = new ExporterMetrics();
  const max = o.maxConcurrent ?? o.setup.maxConcurrent;
  const auth = o.web?.users ? new BasicAuth(o.web.users) : undefined;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let open = 0;

  const runProbe = async (url: URL, req: IncomingMessage): Promise<string> => {
    const { mod, target } = probeParams(url, o.setup);
    if (metrics.inFlight >= max) throw new BadRequest(429, `too many checks in flight (${max}); retry later`);
    const budget = checkBudget(mod, scrapeTimeoutMs(req.headers['x-prometheus-scrape-timeout-seconds']), o.defaultTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
    const t0 = performance.now();
    metrics.inFlight++;
    // The slot is held until the check really ends, even when the answer went out on the budget.
    const running = runModule(mod, target, o.setup, budget).finally(() => metrics.inFlight--);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), budget + 250)));
    let result: TargetResult | undefined;
    try {
      result = await Promise.race([running, late]);
      if (!result) log(`xfed serve: the ${mod.name} check of ${target} did not end within ${budget} ms`);
    } catch (e) {
      log(`xfed serve: the ${mod.name} check of ${target} failed: ${redactText((e as Error)?.message ?? String(e))}`);
    } finally {
      clearTimeout(timer);
    }
    running.catch(() => undefined);
    metrics.check(mod.check, Boolean(result && result.verdict !== 'error'));
    return checkExposition({ check: mod.check, ...(result ? { result } : {}), seconds: (performance.now() - t0) / 1000 });
  };

  const route = async (req: IncomingMessage, url: URL): Promise<{ body: string; type?: string }> => {
    if (req.method !== 'GET') throw new BadRequest(405, 'only GET is served');
    switch (url.pathname) {
      case '/probe':
        return { body: await runProbe(url, req), type: CONTENT_TYPE };
      case '/metrics':
        return { body: metrics.text(), type: CONTENT_TYPE };
      case '/-/healthy':
        return { body: 'Healthy\n' };
      case '/':
        return { body: index(o.setup) };
      default:
        throw new BadRequest(404, 'not found (paths: /probe, /metrics, /-/healthy)');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    // Counted by path even when the request is refused before it is parsed (too long).
    let path = (req.url ?? '').split('?')[0]!.slice(0, 64);
    let status = 200;
    let headers: Record<string, string> = {};
    let body: string;
    let type = 'text/plain; charset=utf-8';
    try {
      if ((req.url ?? '').length > MAX_URL_LENGTH) throw new BadRequest(400, `request target longer than ${MAX_URL_LENGTH} characters`);
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://xfed.invalid');
      } catch {
        throw new BadRequest(400, 'request target is not a valid URL');
      }
      path = url.pathname;
      if (auth && !(await auth.check(req.headers.authorization))) {
        headers = { 'WWW-Authenticate': 'Basic realm="xfed"' };
        throw new BadRequest(401, 'unauthorized');
      }
      const r = await route(req, url);
      body = r.body;
      if (r.type) type = r.type;
    } catch (e) {
      if (e instanceof BadRequest) {
        status = e.status;
        if (status === 405) headers = { Allow: 'GET' };
        if (status === 429) headers = { 'Retry-After': '1' };
        // Names a scrape sent (a module) are echoed only when they are plain names; and a
        // registered secret is masked even then.
        body = `${redactText(e.message)}\n`;
      } else {
        status = 500;
        log(`xfed serve: internal error: ${redactText((e as Error)?.message ?? String(e))}`);
        body = 'internal error (see the exporter log)\n';
      }
      if (status === 429) metrics.rejected++;
    }
    metrics.request(path, status, (performance.now() - t0) / 1000);
    if (res.destroyed) return;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    open++;
    res.once('close', () => open--);
    handle(req, res).catch(() => res.destroy());
  };
  const server: Server = o.web?.tls ? createHttps({ cert: o.web.tls.cert, key: o.web.tls.key }, listener) : createHttp(listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => (server.off('error', reject), resolve()));
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    host: addr.address,
    port: addr.port,
    url: `${o.web?.tls ? 'https' : 'http'}://${hostPart}:${addr.port}`,
    metrics,
    close: async (graceMs = 5000) => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const until = Date.now() + graceMs;
      while (open > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      server.closeAllConnections();
      await closed;
    },
  };
}

function index(setup: ServeSetup): string {
  const mods = [...setup.modules.values()].map((m) => `  ${m.name} (${m.check})${setup.unavailable.has(m.name) ? ': unavailable' : ''}`);
  return ['xfed serve: a Prometheus exporter for XMPP federation checks', '', 'GET /probe?target=<domain>&module=<name>', 'GET /metrics', 'GET /-/healthy', '', 'modules:', ...mods, ''].join('\n');
}
