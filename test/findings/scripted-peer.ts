/**
 * A scripted s2s peer without TLS for the finding tests: it answers the stream header with
 * `header` (default: a proper jabber:server header with dialback) and the dialback features,
 * then hands every complete db:result or db:verify to `onDialback`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export const GOOD_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' id='s-1' from='origin.test' version='1.0'>";
const FEATURES = "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>";

export interface ScriptedPeer {
  server: Server;
  port: number;
}

export function scriptedPeer(onDialback: (sock: Socket, kind: 'result' | 'verify') => void, header = GOOD_HEADER): Promise<ScriptedPeer> {
  const server = createServer((sock) => {
    let buf = '';
    let opened = false;
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += String(d);
      if (!opened && buf.includes('<stream:stream')) {
        opened = true;
        sock.write(header + (header.includes(" version='1.0'>") ? FEATURES : ''));
      }
      for (const kind of ['result', 'verify'] as const) {
        if (buf.includes(`</db:${kind}>`)) {
          buf = '';
          onDialback(sock, kind);
        }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}
