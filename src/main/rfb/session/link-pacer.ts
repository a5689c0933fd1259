import { fence, FENCE_REQUEST } from '../server-messages.js';

/**
 * Fence flag BlockBefore (rfbproto "Fence"): the client answers only once it
 * has processed everything sent before the fence, so the reply says the
 * client has taken every byte up to it.
 */
export const FENCE_BLOCK_BEFORE = 0x1;

/** Our own fences carry this magic ("pace") and a sequence number: how their replies are told from anything else. */
const PING_MAGIC = 0x70616365;
const PING_PAYLOAD_BYTES = 8;

/** At most this many pings wait for their replies (a client slower than that simply gets fewer). */
const MAX_OUTSTANDING = 64;
/**
 * The window holds the link's bandwidth × (base RTT + this): room for the
 * replies' own delay and for bursts, so a link that is not the bottleneck is
 * never held back, while a slow one holds at most this much more than its
 * pipe (at 200 KB/s, some 20 KB).
 */
const SLACK_MS = 100;
/** The window never shrinks below this, whatever the estimates say (so a glitch in them cannot starve a fast link). */
export const MIN_WINDOW_BYTES = 64 * 1024;
/**
 * Bandwidth is the best rate seen over this long while the link was busy: a
 * burst shows what the link can do, a quiet spell says nothing about it (its
 * samples are left out, so the estimate outlasts it).
 */
const BANDWIDTH_WINDOW_MS = 10_000;
/** Base latency is the least RTT seen over this long (it follows a route that got slower, after a while). */
const BASE_RTT_WINDOW_MS = 30_000;

/** What the pacer knows of one client's link. All null until the client answered a ping. */
export interface LinkEstimate {
  /** The last ping's round trip, in milliseconds (queueing included). */
  rttMs: number | null;
  /** The least round trip of late: the link's own latency. */
  baseRttMs: number | null;
  /** Bytes per second the client has taken, at best, of late. */
  bandwidth: number | null;
  /** Bytes that may be on their way before the next update waits (null: not pacing yet). */
  windowBytes: number | null;
  /** Bytes sent that the client has not yet confirmed. */
  inFlightBytes: number;
}

interface Ping {
  seq: number;
  /** Stream position just past the fence: its reply says the client has taken this much. */
  pos: number;
  sentAt: number;
  /** What was confirmed when the ping went out: the start of its delivery-rate sample. */
  priorPos: number;
  priorAt: number;
  /**
   * Sent with less than half the window in flight: the server had little to
   * send, so its rate says how busy the desktop was, not what the link can
   * carry. Such a sample may raise the bandwidth, never stand for it.
   */
  appLimited: boolean;
}

/**
 * One client's link, measured with fences (the idea of TigerVNC's congestion
 * control, done our own way): after each update a fence request that the
 * client answers once it has processed everything before it. The reply's
 * delay is a round trip, and the stream position it was sent at is what the
 * client has taken by then.
 *
 * From these: the base RTT (the least of late), the bandwidth (bytes
 * confirmed per time, the best of late: a max filter, since a server with
 * little to send measures its own pace, not the link's), and a window of
 * bandwidth × (base RTT + slack). Updates go out only while the bytes in
 * flight (sent but not confirmed) are under the window, so a slow link holds
 * a fraction of a second of data instead of megabytes in socket buffers,
 * while a fast one has far more room than it ever fills.
 *
 * Positions are the session's byte count of what was written (any
 * monotonic count of the stream works); times come from `now` in ms.
 */
export class LinkPacer {
  private seq = 0;
  private outstanding: Ping[] = [];
  private confirmedPos = 0;
  private confirmedAt: number;
  private replied = false;
  private lastRtt: number | null = null;
  /** Monotonic deques: the front is the windowed minimum RTT / maximum rate. */
  private rtts: Array<{ at: number; v: number }> = [];
  private rates: Array<{ at: number; v: number }> = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.confirmedAt = now();
  }

  /** Updates are about to start at stream position `pos` (the handshake is over): delivery is counted from here. */
  start(pos: number): void {
    this.confirmedPos = pos;
    this.confirmedAt = this.now();
  }

  /**
   * The fence to write after an update, with `pos` bytes written before it;
   * null when too many are still unanswered.
   */
  ping(pos: number): Buffer | null {
    if (this.outstanding.length >= MAX_OUTSTANDING) return null;
    const seq = (this.seq = (this.seq + 1) >>> 0);
    const payload = Buffer.alloc(PING_PAYLOAD_BYTES);
    payload.writeUInt32BE(PING_MAGIC, 0);
    payload.writeUInt32BE(seq, 4);
    const msg = fence(FENCE_REQUEST | FENCE_BLOCK_BEFORE, payload);
    const window = this.windowBytes;
    const appLimited = window !== null && this.inFlight(pos) < window / 2;
    this.outstanding.push({ seq, pos: pos + msg.length, sentAt: this.now(), priorPos: this.confirmedPos, priorAt: this.confirmedAt, appLimited });
    return msg;
  }

  /**
   * A fence reply from the client (no request flag). True when it answers one
   * of our pings (then it is taken into the estimates); false for anything
   * else, such as the reply to the fence that announced our support.
   */
  reply(payload: Buffer): boolean {
    if (payload.length !== PING_PAYLOAD_BYTES || payload.readUInt32BE(0) !== PING_MAGIC) return false;
    const seq = payload.readUInt32BE(4);
    const i = this.outstanding.findIndex((p) => p.seq === seq);
    if (i < 0) return true; // ours, but not one we wait for (a client that answered twice): nothing to learn
    const p = this.outstanding[i]!;
    // Fences are answered in order: any older ones the client skipped are answered by this one.
    this.outstanding.splice(0, i + 1);
    const now = this.now();
    this.replied = true;
    this.lastRtt = Math.max(0, now - p.sentAt);
    pushMin(this.rtts, now, this.lastRtt, BASE_RTT_WINDOW_MS);
    // Delivery rate: what was confirmed between the ack before this ping went out and this one.
    const bytes = p.pos - p.priorPos;
    const ms = Math.max(1, now - p.priorAt);
    const rate = (bytes * 1000) / ms;
    if (bytes > 0 && !(p.appLimited && rate <= (this.bandwidth ?? 0))) pushMax(this.rates, now, rate, BANDWIDTH_WINDOW_MS);
    if (p.pos > this.confirmedPos) this.confirmedPos = p.pos;
    this.confirmedAt = now;
    return true;
  }

  /** Whether the client has ever answered a ping: until then there is nothing to pace by. */
  get measuring(): boolean {
    return this.replied;
  }

  /** Pings still waiting for their replies. */
  get unanswered(): number {
    return this.outstanding.length;
  }

  /** Bytes per second, the best rate of late; null before any reply. */
  get bandwidth(): number | null {
    this.expire();
    return this.rates[0]?.v ?? null;
  }

  get baseRttMs(): number | null {
    this.expire();
    return this.rtts[0]?.v ?? null;
  }

  /** The window: bandwidth × (base RTT + slack), never below the floor; null before any reply. */
  get windowBytes(): number | null {
    if (!this.replied) return null;
    const bw = this.bandwidth;
    const rtt = this.baseRttMs ?? 0;
    if (bw === null) return MIN_WINDOW_BYTES;
    return Math.max(MIN_WINDOW_BYTES, Math.round((bw * (rtt + SLACK_MS)) / 1000));
  }

  inFlight(pos: number): number {
    return Math.max(0, pos - this.confirmedPos);
  }

  /**
   * Whether another update may go with `pos` bytes written so far. Before the
   * client has answered once, yes: the socket's back-pressure is the only
   * brake then, as for a client without fences.
   */
  mayUpdate(pos: number): boolean {
    const window = this.windowBytes;
    return window === null || this.inFlight(pos) < window;
  }

  /** The figures, for the control API and the logs (`pos`: bytes written so far). */
  estimate(pos: number): LinkEstimate {
    return {
      rttMs: this.lastRtt,
      baseRttMs: this.baseRttMs,
      bandwidth: this.bandwidth,
      windowBytes: this.windowBytes,
      inFlightBytes: this.inFlight(pos),
    };
  }

  /** Drop samples that left their windows, keeping the newest of each (an idle link keeps its last estimate). */
  private expire(): void {
    const now = this.now();
    trim(this.rtts, now, BASE_RTT_WINDOW_MS);
    trim(this.rates, now, BANDWIDTH_WINDOW_MS);
  }
}

function trim(q: Array<{ at: number }>, now: number, windowMs: number): void {
  while (q.length > 1 && now - q[0]!.at > windowMs) q.shift();
}

/** Add a sample to a deque whose front is the least value within the window. */
function pushMin(q: Array<{ at: number; v: number }>, at: number, v: number, windowMs: number): void {
  while (q.length > 0 && q[q.length - 1]!.v >= v) q.pop();
  q.push({ at, v });
  trim(q, at, windowMs);
}

/** Add a sample to a deque whose front is the greatest value within the window. */
function pushMax(q: Array<{ at: number; v: number }>, at: number, v: number, windowMs: number): void {
  while (q.length > 0 && q[q.length - 1]!.v <= v) q.pop();
  q.push({ at, v });
  trim(q, at, windowMs);
}
