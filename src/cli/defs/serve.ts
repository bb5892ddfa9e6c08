import { Option, type Command } from 'commander';
import { intOption } from '../options.js';

/** `xfed serve`: a Prometheus exporter (the blackbox_exporter convention). */
export function defineServe(program: Command): void {
  program
    .command('serve')
    .description('run as a Prometheus exporter: GET /probe?target=<domain>&module=dns|probe|dialback|axl answers with metrics')
    .option('--listen <host:port>', 'address to listen on (a non-loopback address needs --allow-remote)', '127.0.0.1:9469')
    .option('--allow-remote', 'allow --listen on a non-loopback address (anyone who reaches it can make xfed connect to any domain)')
    .option('-c, --config <file>', 'modules and secrets: the doctor config file (dns, probe, axl and serve sections)')
    .option('--web-config-file <file>', 'TLS and basic auth for the listener (Prometheus exporter-toolkit web config: tls_server_config, basic_auth_users)')
    .addOption(new Option('--max-concurrent <n>', 'checks in flight at once; more get 429 (default: serve.max_concurrent, else 16)').argParser(intOption('--max-concurrent', 1, 1024)))
    .addHelpText(
      'after',
      `
Endpoints:
  GET /probe?target=<domain>&module=<name>   one check, in the Prometheus text format
  GET /metrics                               the exporter's own metrics
  GET /-/healthy                             liveness

Modules: dns, probe, dialback (needs XFED_DIALBACK_SECRET or probe.secret_file, and our
domain), axl (the config's axl section; the target must be axl.server), and the config's
serve.modules. SIGTERM or SIGINT stops it cleanly (exit 0). deploy/prometheus/ has a scrape
config, alert rules and a Grafana dashboard.

Examples:
  xfed serve
  xfed serve --config xfed.yaml    (secrets: probe.secret_file, axl.password_file, or the environment)
  xfed serve --listen 0.0.0.0:9469 --allow-remote --web-config-file web.yml
  curl 'http://127.0.0.1:9469/probe?target=partner.example&module=probe'`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { serveCommand } = await import('../commands/serve.js');
      process.exitCode = await serveCommand(opts);
    });
}
