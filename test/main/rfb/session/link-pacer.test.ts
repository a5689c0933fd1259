import { describe, expect, it } from 'vitest';
import { FENCE_BLOCK_BEFORE, LinkPacer, MIN_WINDOW_BYTES } from '../../../../src/main/rfb/session/link-pacer.js';
import { FENCE_REQUEST } from '../../../../src/main/rfb/server-messages.js';

/*
 * The estimator against a simulated link on a fake clock: a FIFO bottleneck
 * of `rate` bytes per second and a fixed round trip, fed by a sender that
 * wants to send an update of `updateBytes` every `intervalMs` and asks the
 * pacer first (or not: the same link without pacing, for contrast).
 */

interface SimResult {
  pacer: LinkPacer;
  /** Per update: time from being sent to having arrived in full, in ms. */
  delays: number[];
  /** Bytes in flight after each update was sent. */
  inFlight: number[];
  sentUpdates: number;
  heldChecks: number;
}

function simulate(o: { rate: number; rttMs: number; updateBytes: number; intervalMs: number; seconds: number; pace: boolean }): SimResult {
  let now = 0;
  const pacer = new LinkPacer(() => now);
  pacer.start(0);
  let pos = 0;
  let busyUntil = 0; // when the bottleneck has sent everything written so far
  const send = (bytes: number): number => {
    busyUntil = Math.max(now, busyUntil) + (bytes * 1000) / o.rate;
    return busyUntil;
  };
  const replies: Array<{ at: number; payload: Buffer }> = [];
  const delays: number[] = [];
  let nextFrame = 0;
  const inFlight: number[] = [];
  let sentUpdates = 0;
  let heldChecks = 0;
  for (let step = 0; step < o.seconds * 1000; step++, now++) {
    while (replies.length > 0 && replies[0]!.at <= now) pacer.reply(replies.shift()!.payload);
    if (now < nextFrame) continue;
    if (o.pace && !pacer.mayUpdate(pos)) {
      heldChecks++;
      continue;
    }
    nextFrame = now + o.intervalMs;
    const arrived = send(o.updateBytes);
    delays.push(arrived - now);
    pos += o.updateBytes;
    sentUpdates++;
    const ping = pacer.ping(pos);
    if (ping) {
      pos += ping.length;
      replies.push({ at: send(ping.length) + o.rttMs, payload: ping.subarray(9) });
    }
    inFlight.push(pacer.inFlight(pos));
  }
  return { pacer, delays, inFlight, sentUpdates, heldChecks };
}

describe('LinkPacer', () => {
  it('sends a BlockBefore fence request whose payload marks it, and knows its replies from anything else', () => {
    const pacer = new LinkPacer(() => 0);
    const msg = pacer.ping(100)!;
    expect(msg[0]).toBe(248);
    expect(msg.readUInt32BE(4)).toBe((FENCE_REQUEST | FENCE_BLOCK_BEFORE) >>> 0);
    expect(msg[8]).toBe(8);
    const payload = msg.subarray(9);
    expect(pacer.reply(Buffer.alloc(0))).toBe(false); // the reply to the fence that announced support
    expect(pacer.reply(Buffer.from('somebody'))).toBe(false); // a client's own payload
    expect(pacer.measuring).toBe(false);
    expect(pacer.reply(payload)).toBe(true);
    expect(pacer.measuring).toBe(true);
    expect(pacer.inFlight(100 + msg.length)).toBe(0);
  });

  it('does not hold updates back before the client has answered once', () => {
    let now = 0;
    const pacer = new LinkPacer(() => now);
    for (let i = 1; i <= 10; i++) pacer.ping(i * 10_000_000);
    now = 60_000;
    expect(pacer.windowBytes).toBeNull();
    expect(pacer.mayUpdate(200_000_000)).toBe(true);
    expect(pacer.estimate(0).rttMs).toBeNull();
  });

  it('keeps the least RTT as the base and the bytes taken per time as the bandwidth; the window follows them', () => {
    let now = 1000;
    const pacer = new LinkPacer(() => now);
    pacer.start(0);
    const a = pacer.ping(100_000)!.subarray(9);
    now += 50; // 100 KB taken in 50 ms: 2 MB/s
    pacer.reply(a);
    expect(pacer.baseRttMs).toBe(50);
    expect(pacer.bandwidth).toBeCloseTo(2_000_340, -3);
    const b = pacer.ping(100_017 + 1000)!.subarray(9); // a small update: a slower sample, a longer RTT
    now += 80;
    pacer.reply(b);
    expect(pacer.estimate(0).rttMs).toBe(80);
    expect(pacer.baseRttMs).toBe(50); // the least
    expect(pacer.bandwidth).toBeCloseTo(2_000_340, -3); // the best
    // 2 MB/s × (50 ms + 100 ms slack) = 300 KB
    expect(pacer.windowBytes).toBeGreaterThan(290_000);
    expect(pacer.windowBytes).toBeLessThan(310_000);
  });

  it('never makes the window smaller than the floor', () => {
    let now = 0;
    const pacer = new LinkPacer(() => now);
    pacer.start(0);
    const p = pacer.ping(100)!.subarray(9);
    now += 10_000; // 117 bytes in 10 s
    pacer.reply(p);
    expect(pacer.windowBytes).toBe(MIN_WINDOW_BYTES);
    expect(pacer.mayUpdate(117 + MIN_WINDOW_BYTES - 1)).toBe(true);
    expect(pacer.mayUpdate(117 + MIN_WINDOW_BYTES)).toBe(false);
  });

  it('keeps its bandwidth through a quiet spell, and follows a link that got slower once it is busy', () => {
    let now = 0;
    const pacer = new LinkPacer(() => now);
    pacer.start(0);
    let pos = 0;
    const exchange = (bytes: number, ms: number) => {
      pos += bytes;
      const msg = pacer.ping(pos)!;
      pos += msg.length;
      now += ms;
      pacer.reply(msg.subarray(9));
    };
    exchange(1_000_000, 100); // 10 MB/s
    expect(pacer.windowBytes).toBeGreaterThan(1_900_000); // 10 MB/s × (100 + 100 ms)
    for (let i = 0; i < 40; i++) {
      now += 1000;
      exchange(10_000, 100); // a quiet desktop: little to send, the link mostly idle
    }
    expect(pacer.bandwidth).toBeGreaterThan(9_000_000);
    exchange(1_500_000, 1500); // busy, and the link carries only 1 MB/s now
    expect(pacer.bandwidth!).toBeGreaterThan(900_000);
    expect(pacer.bandwidth!).toBeLessThan(1_100_000);
  });

  it('takes a reply to a later ping as answering the earlier ones, and bounds the unanswered ones', () => {
    let now = 0;
    const pacer = new LinkPacer(() => now);
    pacer.start(0);
    const pings: Buffer[] = [];
    for (let i = 1; i <= 64; i++) pings.push(pacer.ping(i * 1000)!);
    expect(pacer.ping(65_000)).toBeNull();
    expect(pacer.unanswered).toBe(64);
    now += 20;
    expect(pacer.reply(pings[9]!.subarray(9))).toBe(true);
    expect(pacer.unanswered).toBe(54);
    expect(pacer.inFlight(10_000 + pings[9]!.length)).toBe(0);
    expect(pacer.reply(pings[3]!.subarray(9))).toBe(true); // ours, already answered: nothing changes
    expect(pacer.unanswered).toBe(54);
  });

  it('keeps a slow link to a fraction of a second of data, where without it the delay grows without end', () => {
    const link = { rate: 200_000, rttMs: 40, updateBytes: 30_000, intervalMs: 33, seconds: 30 };
    const paced = simulate({ ...link, pace: true });
    const unpaced = simulate({ ...link, pace: false });
    // It learns the link: the bandwidth within 10 % of the truth, at most the tick of the clock above it.
    expect(paced.pacer.bandwidth!).toBeGreaterThan(180_000);
    expect(paced.pacer.bandwidth!).toBeLessThan(204_000); // (the clock ticks in whole ms)
    const late = (r: SimResult) => Math.max(...r.delays.slice(-20));
    // Paced: each update arrives within about one update's time, the window and the round trip.
    expect(late(paced)).toBeLessThan(1000);
    expect(Math.max(...paced.inFlight.slice(-20))).toBeLessThan(paced.pacer.windowBytes! + link.updateBytes + 1000);
    // Unpaced: 900 KB/s offered to a 200 KB/s link, the delay is many seconds by the end.
    expect(late(unpaced)).toBeGreaterThan(10_000);
    // And the paced sender used the link: ~200 KB/s of 30 KB updates over 30 s is ~200 updates.
    expect(paced.sentUpdates).toBeGreaterThan(150);
  });

  it('never holds back a sender on a fast link', () => {
    // 1 GB/s, 0.5 ms round trip, a 2 MB update 60 times a second (120 MB/s): the link is never the limit.
    const r = simulate({ rate: 1_000_000_000, rttMs: 0.5, updateBytes: 2_000_000, intervalMs: 16, seconds: 5, pace: true });
    expect(r.heldChecks).toBe(0);
    expect(r.sentUpdates).toBeGreaterThanOrEqual(Math.floor(5000 / 16));
    expect(r.pacer.windowBytes!).toBeGreaterThan(2_000_000);
  });
});
