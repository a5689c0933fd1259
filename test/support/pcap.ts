/**
 * A packet capture on loopback with tcpdump, and a reader for what it wrote:
 * the TCP payload each way of one connection, in order. Enough to check
 * what a viewer and the server really put on the wire.
 *
 *   const cap = await startCapture(port);   // tcpdump -i lo 'tcp port PORT'
 *   ... connect, talk ...
 *   const streams = await cap.stop();       // { toServer, toClient } per connection
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TcpConversation {
  clientPort: number;
  /** Bytes from the client to the server, reassembled in sequence order. */
  toServer: Buffer;
  /** Bytes from the server to the client. */
  toClient: Buffer;
}

export interface Capture {
  /** Stop tcpdump (by its PID) and read the file: one entry per connection to the port, in the order they opened. */
  stop(): Promise<TcpConversation[]>;
}

/** Start capturing TCP to and from `port` on the loopback interface; resolves once tcpdump listens. */
export async function startCapture(port: number): Promise<Capture> {
  const dir = await mkdtemp(join(tmpdir(), 'trayvnc-pcap-'));
  const file = join(dir, 'capture.pcap');
  // --immediate-mode and -U: each packet is read and written as it comes, so stopping loses nothing; -s 0: whole packets.
  const child = spawn('tcpdump', ['--immediate-mode', '-i', 'lo', '-n', '-U', '-s', '0', '-w', file, `tcp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start within 5 s: ${err}`)), 5000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`tcpdump exited (${code}): ${err}`));
    });
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      try {
        return conversations(await readFile(file), port);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

interface Segment {
  srcPort: number;
  dstPort: number;
  seq: number;
  syn: boolean;
  payload: Buffer;
}

/** Parse a classic pcap file (Ethernet or Linux "cooked" link layer, IPv4 or IPv6) into TCP segments. */
export function tcpSegments(pcap: Buffer): Segment[] {
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const u32 = (off: number) => (le ? pcap.readUInt32LE(off) : pcap.readUInt32BE(off));
  const linkType = u32(20);
  const segments: Segment[] = [];
  let off = 24;
  for (let n = 0; off + 16 <= pcap.length && n < 1_000_000; n++) {
    const capLen = u32(off + 8);
    const frame = pcap.subarray(off + 16, off + 16 + capLen);
    off += 16 + capLen;
    let ip: Buffer;
    if (linkType === 1) {
      if (frame.readUInt16BE(12) !== 0x0800 && frame.readUInt16BE(12) !== 0x86dd) continue;
      ip = frame.subarray(14);
    } else if (linkType === 113) {
      ip = frame.subarray(16);
    } else if (linkType === 0 || linkType === 12 || linkType === 101) {
      ip = frame.subarray(linkType === 0 ? 4 : 0);
    } else throw new Error(`link type ${linkType} not handled`);
    let tcp: Buffer;
    const version = ip[0]! >> 4;
    if (version === 4) {
      if (ip[9] !== 6) continue;
      const total = ip.readUInt16BE(2);
      tcp = ip.subarray((ip[0]! & 0x0f) * 4, total);
    } else if (version === 6) {
      if (ip[6] !== 6) continue; // no extension headers on loopback TCP
      tcp = ip.subarray(40, 40 + ip.readUInt16BE(4));
    } else continue;
    const dataOffset = (tcp[12]! >> 4) * 4;
    segments.push({
      srcPort: tcp.readUInt16BE(0),
      dstPort: tcp.readUInt16BE(2),
      seq: tcp.readUInt32BE(4),
      syn: (tcp[13]! & 0x02) !== 0,
      payload: Buffer.from(tcp.subarray(dataOffset)),
    });
  }
  return segments;
}

/** The conversations with `serverPort`, each direction's payload put back in sequence order (duplicates dropped). */
export function conversations(pcap: Buffer, serverPort: number): TcpConversation[] {
  const byClient = new Map<number, { toServer: Segment[]; toClient: Segment[] }>();
  for (const s of tcpSegments(pcap)) {
    const client = s.dstPort === serverPort ? s.srcPort : s.srcPort === serverPort ? s.dstPort : null;
    if (client === null) continue;
    let c = byClient.get(client);
    if (!c) byClient.set(client, (c = { toServer: [], toClient: [] }));
    (s.dstPort === serverPort ? c.toServer : c.toClient).push(s);
  }
  return [...byClient.entries()].map(([clientPort, c]) => ({ clientPort, toServer: reassemble(c.toServer), toClient: reassemble(c.toClient) }));
}

function reassemble(segments: Segment[]): Buffer {
  const syn = segments.find((s) => s.syn);
  let next = syn ? (syn.seq + 1) >>> 0 : (segments[0]?.seq ?? 0);
  const parts: Buffer[] = [];
  const pending = segments.filter((s) => s.payload.length > 0);
  // Loopback rarely reorders; take whichever segment starts where the stream is, until none does.
  const bound = pending.length * 2 + 1;
  for (let guard = 0; guard < bound; guard++) {
    const i = pending.findIndex((s) => s.seq === next);
    if (i < 0) {
      // A retransmission of bytes we have (starts before `next`): drop it and look again.
      const dup = pending.findIndex((s) => ((next - s.seq) >>> 0) < 0x80000000 && s.seq !== next);
      if (dup < 0) break;
      pending.splice(dup, 1);
      continue;
    }
    const s = pending.splice(i, 1)[0]!;
    parts.push(s.payload);
    next = (next + s.payload.length) >>> 0;
  }
  return Buffer.concat(parts);
}

/**
 * Split `bytes` into TLS records (RFC 5246 §6.2.1: type, version, length,
 * body). Throws where the bytes are not a well-formed record: anything sent
 * outside TLS after it started shows up here.
 */
export function tlsRecords(bytes: Buffer): Array<{ type: number; length: number }> {
  const records: Array<{ type: number; length: number }> = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 5 > bytes.length) throw new Error(`a partial TLS record header at ${off}`);
    const type = bytes[off]!;
    const version = bytes.readUInt16BE(off + 1);
    const length = bytes.readUInt16BE(off + 3);
    if (type < 20 || type > 23) throw new Error(`byte ${off}: content type ${type} is not TLS`);
    if (version < 0x0301 || version > 0x0303) throw new Error(`byte ${off}: version 0x${version.toString(16)} is not TLS`);
    if (length > 16384 + 2048) throw new Error(`byte ${off}: record length ${length} too long`);
    if (off + 5 + length > bytes.length) throw new Error(`byte ${off}: record of ${length} runs past the end`);
    records.push({ type, length });
    off += 5 + length;
  }
  return records;
}
