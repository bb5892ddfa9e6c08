/**
 * A DNS server in the test process for hostile cases: UDP and TCP on one loopback port, each
 * question handed to a function that returns the raw messages to send back (any bytes at all),
 * and helpers to write well-formed answers.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { decodeMessage, TYPE_CODES } from '../../src/dns/wire.js';

export interface Query {
  id: number;
  qname: string;
  qtype: number;
  transport: 'udp' | 'tcp';
}

export type Handler = (q: Query) => Buffer[];

export interface HostileDns {
  /** `127.0.0.1:port`, for --resolver. */
  resolver: string;
  /** Every question received, in order. */
  log: Query[];
  close(): Promise<void>;
}

export const T = TYPE_CODES;

export function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export interface Rr {
  name: string;
  type: number;
  ttl?: number;
  rdata: Buffer;
}

export const rdata = {
  a: (ip: string) => Buffer.from(ip.split('.').map(Number)),
  /** 16 bytes of an IPv6 address in text form ("::" and a dotted-quad tail allowed). */
  aaaa: (ip: string) => {
    const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
    const text = quad ? `${ip.slice(0, quad.index)}${((+quad[1]! << 8) | +quad[2]!).toString(16)}:${((+quad[3]! << 8) | +quad[4]!).toString(16)}` : ip;
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array<string>(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t];
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
    return b;
  },
  srv: (priority: number, weight: number, port: number, target: string) => {
    const b = Buffer.alloc(6);
    b.writeUInt16BE(priority, 0);
    b.writeUInt16BE(weight, 2);
    b.writeUInt16BE(port, 4);
    return Buffer.concat([b, encodeName(target)]);
  },
  /** SRV whose target is `label` + a compression pointer to `offset` (RFC 1035 §4.1.4). */
  srvPointer: (priority: number, weight: number, port: number, label: string, offset: number) => {
    const b = Buffer.alloc(6);
    b.writeUInt16BE(priority, 0);
    b.writeUInt16BE(weight, 2);
    b.writeUInt16BE(port, 4);
    return Buffer.concat([b, Buffer.from([label.length]), Buffer.from(label, 'latin1'), Buffer.from([0xc0 | (offset >> 8), offset & 255])]);
  },
};

/** A response: header, the question given (which may differ from the one asked), the answers. */
export function response(o: { id: number; qname: string; qtype: number; qclass?: number; rcode?: number; tc?: boolean; answers?: Rr[] }): Buffer {
  const answers = o.answers ?? [];
  const h = Buffer.alloc(12);
  h.writeUInt16BE(o.id, 0);
  h.writeUInt16BE(0x8000 | 0x0400 | 0x0100 | 0x0080 | (o.tc ? 0x0200 : 0) | (o.rcode ?? 0), 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  const q = Buffer.concat([encodeName(o.qname), Buffer.from([o.qtype >> 8, o.qtype & 255, 0, o.qclass ?? 1])]);
  const rrs = answers.map((r) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(r.ttl ?? 300, 4);
    fixed.writeUInt16BE(r.rdata.length, 8);
    // An owner equal to the question name is written as a pointer to it (offset 12).
    return Buffer.concat([r.name === o.qname ? Buffer.from([0xc0, 12]) : encodeName(r.name), fixed, r.rdata]);
  });
  return Buffer.concat([h, q, ...rrs]);
}

/** The normal answer to `q` from a zone (`name|TYPE` -> records); NODATA for anything else. */
export function fromZone(zone: Record<string, Rr[]>, q: Query, extra: { tc?: boolean } = {}): Buffer {
  const type = Object.entries(T).find(([, v]) => v === q.qtype)?.[0] ?? '';
  return response({ id: q.id, qname: q.qname, qtype: q.qtype, answers: zone[`${q.qname}|${type}`] ?? [], ...extra });
}

function frame(m: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(m.length);
  return Buffer.concat([len, m]);
}

function query(buf: Buffer, transport: Query['transport']): Query | undefined {
  const m = decodeMessage(buf);
  return m ? { id: m.id, qname: m.qname, qtype: m.qtype, transport } : undefined;
}

export async function startHostileDns(handler: Handler): Promise<HostileDns> {
  const log: Query[] = [];
  const makeUdp = () => {
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      const q = query(msg, 'udp');
      if (!q) return;
      log.push(q);
      for (const out of handler(q)) udp.send(out, rinfo.port, rinfo.address);
    });
    return udp;
  };
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const q = query(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        if (!q) continue;
        log.push(q);
        for (const out of handler(q)) s.write(frame(out));
      }
    });
  });
  // UDP and TCP on the same port: retried when the TCP port is taken.
  for (let attempt = 0; ; attempt++) {
    const udp = makeUdp();
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const port = udp.address().port;
    try {
      tcp.listen(port, '127.0.0.1');
      await once(tcp, 'listening');
      return {
        resolver: `127.0.0.1:${port}`,
        log,
        close: async () => {
          udp.close();
          for (const s of sockets) s.destroy();
          tcp.close();
        },
      };
    } catch (e) {
      udp.close();
      if (attempt > 20) throw e;
    }
  }
}
