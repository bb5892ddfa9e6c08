// A small delaying DNS server for benchmarks: every UDP question is forwarded to an
// upstream after a fixed delay (real resolvers are slow), and the answer relayed back.
// Usage: node bench/delay-dns.mjs <listen-ip> <listen-port> <upstream-ip> <upstream-port> <delay-ms>
import { createSocket } from 'node:dgram';

export function startDelayDns({ host, port, upstreamHost, upstreamPort, delayMs }) {
  return new Promise((resolve) => {
    const server = createSocket('udp4');
    server.on('message', (msg, client) => {
      setTimeout(() => {
        const up = createSocket('udp4');
        const timer = setTimeout(() => up.close(), 5000);
        up.on('message', (answer) => {
          clearTimeout(timer);
          server.send(answer, client.port, client.address);
          up.close();
        });
        up.send(msg, upstreamPort, upstreamHost);
      }, delayMs);
    });
    server.bind(port, host, () => resolve({ port: server.address().port, close: () => server.close() }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [host, port, upstreamHost, upstreamPort, delayMs] = process.argv.slice(2);
  const s = await startDelayDns({ host, port: Number(port), upstreamHost, upstreamPort: Number(upstreamPort), delayMs: Number(delayMs) });
  console.log(`delaying DNS on ${host}:${s.port} -> ${upstreamHost}:${upstreamPort} (+${delayMs} ms)`);
}
