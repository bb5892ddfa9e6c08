/**
 * `xfed serve`: loads the config and the web config, refuses a non-loopback address without
 * --allow-remote, listens, and on SIGTERM/SIGINT stops accepting, lets answers in progress end
 * and exits 0.
 */
import { isIP } from '../../core/ip.js';
import { UsageError } from '../../core/errors.js';
import { EXIT } from '../../core/exit-codes.js';
import { loadConfig } from '../../doctor/config.js';
import { resolveServe } from '../../serve/setup.js';
import { startExporter } from '../../serve/server.js';
import { loadWebConfig } from '../../serve/web-config.js';

interface ServeCliOptions {
  listen: string;
  allowRemote?: boolean;
  config?: string;
  webConfigFile?: string;
  maxConcurrent?: number;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseListen(spec: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^\s:[\]]*)):(\d{1,5})$/i.exec(spec.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65_535) throw new UsageError(`--listen: "${spec.slice(0, 80)}" is not host:port (e.g. 127.0.0.1:9469 or [::1]:9469)`, 'XFED_SERVE_LISTEN');
  const host = m[1] ?? m[2] ?? '';
  return { host: host || '0.0.0.0', port };
}

/** Whether only this machine can reach the address. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

export async function serveCommand(raw: Record<string, unknown>): Promise<number> {
  const o = raw as unknown as ServeCliOptions;
  const { host, port } = parseListen(o.listen);
  if (!isLoopback(host) && !o.allowRemote) {
    throw new UsageError(`--listen ${host}: not a loopback address; anyone who reaches it can make xfed connect to any domain: add --allow-remote (and consider --web-config-file for TLS and basic auth)`, 'XFED_SERVE_REMOTE');
  }
  const config = o.config ? await loadConfig(o.config, { requireChecks: false }) : undefined;
  const setup = await resolveServe(config);
  const web = o.webConfigFile ? await loadWebConfig(o.webConfigFile) : undefined;
  let exporter;
  try {
    exporter = await startExporter({ setup, host, port, ...(web ? { web } : {}), ...(o.maxConcurrent ? { maxConcurrent: o.maxConcurrent } : {}) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`--listen ${o.listen}: cannot listen (${code})`, 'XFED_SERVE_LISTEN');
    throw e;
  }
  const unavailable = [...setup.unavailable.keys()];
  process.stderr.write(
    `xfed serve: listening on ${exporter.url} (modules: ${[...setup.modules.keys()].filter((m) => !unavailable.includes(m)).join(', ')}` +
      `${unavailable.length ? `; unavailable: ${unavailable.join(', ')}` : ''})\n`,
  );
  // The CLI's own handlers exit at once with 130; a server stops cleanly instead.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stderr.write(`xfed serve: ${sig}: closing the listener\n`);
      exporter.close(5000).then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return EXIT.OK;
}
