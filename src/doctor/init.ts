/** The commented starter config that `xfed init` writes (a test loads it with the real parser). */
export const STARTER_CONFIG = `# xfed doctor configuration (YAML; JSON works too). Check it with: xfed doctor --config xfed.yaml
# Every key is optional except where noted; unknown keys are errors. Relative paths are
# relative to this file. Secrets never go in here: see axl and probe below.

# Our own XMPP domains: their DNS records are checked and each is probed like a peer would.
domains:
  - example.com

# Partner domains we federate with: DNS checked and probed (stream, TLS, certificate, dialback).
partners:
  - partner.example
#   - other-partner.example

# Our Expressway-E hosts (host or host:port): each of our domains is probed on each of them
# directly, bypassing DNS (useful to test one node of a cluster).
# expressway_e:
#   - expe1.example.com
#   - expe2.example.com:5269

dns:
  # Ask these resolvers (ip or ip:port) instead of the system's; or doh: https://.../dns-query
  # resolvers: [9.9.9.9, 1.1.1.1]
  # tcp: false
  # Private/loopback SRV targets are info instead of errors (lab or private federation).
  allow_private: false
  # DNSSEC is expected: an unsigned zone is a warning (needs a validating resolver).
  # dnssec: false

probe:
  # Our domain, for the stream 'from' and dialback. Without it, xfed uses a .invalid name.
  # from: example.com
  # The dialback secret of our domain: a file holding it, or the XFED_DIALBACK_SECRET variable.
  # secret_file: /run/secrets/xfed-dialback
  # Extra CA certificates (PEM files) to trust; insecure: true makes certificate problems info.
  # ca: [corp-ca.pem]
  # insecure: false
  # A certificate expiring within this many days is a warning.
  expiry_warn_days: 30
  # Fetch each domain's POSH file (RFC 7711, https://<domain>/.well-known/posh/xmpp-server.json).
  # posh: true

# IM&P over AXL: is every Expressway-E registered in xmpps2snodes?
# The password comes from XFED_AXL_PASSWORD or password_file, never from this file.
# axl:
#   server: imp01.example.com:8443
#   user: axluser
#   password_file: /run/secrets/xfed-axl
#   expect: [expe1.example.com, expe2.example.com]
#   ca: imp-ca.pem

# Logs and diagnostic bundles to diagnose (files, directories, .gz, .tar.gz).
# logs:
#   - logs/diagnostic_log_expe01.tar.gz

# Findings to ignore: moved aside in the report (with the reason), not counted for the exit code.
# id may use * (dns.xmpps.*); target limits it to one domain/host.
ignore:
  - id: dns.xmpps.absent
    reason: we do not offer direct TLS (XEP-0368) yet
#   - id: probe.cert.expires-soon
#     target: partner.example
#     reason: partner renews on the 1st, ticket CHG-1234

# xfed serve (the Prometheus exporter) only; doctor ignores it. Built-in modules: dns, probe,
# dialback (our secret, from probe above), axl (the axl section; target must be axl.server).
# Named modules: /probe?target=<domain>&module=<name>. host/port pin a server like
# "xfed probe --host"; timeout (ms) caps the check (the scrape timeout caps it too).
# serve:
#   max_concurrent: 16
#   modules:
#     - { name: expe1_dialback, check: dialback, host: expe1.example.com, port: 5269 }
#     - { name: quick_probe, check: probe, dialback: false, timeout: 5000 }

# Targets checked at once, per check.
concurrency: 16

# Timeouts in milliseconds (each network phase).
timeouts:
  dns: 5000
  probe: 10000
  dialback: 30000
  axl: 10000
`;
