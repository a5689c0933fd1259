import { createRequire } from 'node:module';

/**
 * A DNS-SD browse with multicast-dns (a plain mDNS packet library, not the
 * announcer the server uses): asks for `_rfb._tcp.local` and collects the
 * service instances the answers name, with their SRV port.
 */

interface Answer {
  name: string;
  type: string;
  ttl?: number;
  data: unknown;
}
interface MdnsSocket {
  on(event: 'response', listener: (packet: { answers: Answer[]; additionals?: Answer[] }) => void): void;
  query(q: { questions: Array<{ name: string; type: string }> }): void;
  destroy(): void;
}
const mdns = createRequire(import.meta.url)('multicast-dns') as () => MdnsSocket;

export interface FoundService {
  instance: string;
  port: number | null;
  /** TTL of the PTR record (0: a goodbye). */
  ttl: number;
}

/** Browse for `_rfb._tcp` for `ms`, asking every 500 ms; every answer seen, in order. */
export async function browseRfb(ms: number): Promise<FoundService[]> {
  const socket = mdns();
  const found: FoundService[] = [];
  socket.on('response', (packet) => {
    const records = [...packet.answers, ...(packet.additionals ?? [])];
    for (const a of records) {
      if (a.type !== 'PTR' || a.name !== '_rfb._tcp.local') continue;
      const instance = String(a.data);
      const srv = records.find((r) => r.type === 'SRV' && r.name === instance);
      found.push({ instance, port: srv ? (srv.data as { port: number }).port : null, ttl: a.ttl ?? -1 });
    }
  });
  const ask = () => socket.query({ questions: [{ name: '_rfb._tcp.local', type: 'PTR' }] });
  ask();
  const timer = setInterval(ask, 500);
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(timer);
  socket.destroy();
  return found;
}
