// The protocol states bench/fuzz.mjs drives mutated input into: for each, one
// connection brought there with valid messages, then mutated ones. Each
// function takes the run's context (ctx: port, credentials, a PRNG, counters,
// the next source address) and resolves when its connection is over; every
// read and wait in it has a deadline.

import { Wire } from './fuzz-wire.mjs';
import { RA2_TYPES, runRa2 } from './fuzz-ra2.mjs';
import { vncAuthResponse } from './rfb-client.mjs';
import { mutate, mutateField, seed, VERSIONS, NORMAL_SEEDS, SESSION_START, fenceRequest, plainCredentials, ra2Credentials, u8, u32, cat } from './fuzz-mutate.mjs';

/** How long to watch what the server does with a mutated message before hanging up. */
const OBSERVE_MS = 300;

/** Connect and read the banner; null when refused early (the blacklist or a rate limit: counted), or no connection. */
async function begin(ctx, state) {
  ctx.note(state, 'connections');
  const wire = await Wire.open(ctx.port, ctx.address());
  if (!wire) {
    ctx.note(state, 'connectFailed');
    return null;
  }
  const banner = await wire.read(12, 5000);
  if (!banner) {
    ctx.note(state, 'noBanner');
    ctx.noBanner(wire.closed);
    wire.destroy();
    return null;
  }
  if (banner.toString('latin1') === 'RFB 003.003\n') {
    // The gatekeeper's refusal: 3.3 banner, then "no types" and the reason.
    ctx.refusedEarly(state);
    wire.destroy();
    return null;
  }
  return wire;
}

/** Send a valid version and read the offered types (null if the server refused). */
async function offer(wire, version = 'RFB 003.008\n') {
  wire.write(Buffer.from(version, 'latin1'));
  const n = await wire.read(1);
  if (!n || n[0] === 0) return null;
  const list = await wire.read(n[0]);
  return list ? [...list] : null;
}

/** Send `bytes` (a mutated message) and count it; then watch the server for a moment and hang up. */
async function fire(ctx, state, wire, m, { observe = OBSERVE_MS } = {}) {
  if (wire.closed) return wire.destroy();
  if (ctx.r.chance(0.3)) await wire.writeSplit(ctx.r, m.bytes);
  else wire.write(m.bytes);
  ctx.count(state, 1, m.op);
  const closed = await wire.waitClose(observe);
  if (closed) ctx.note(state, 'closedByServer');
  wire.destroy();
}

/** VNC Authentication with the right password, up to and including SecurityResult; false if it did not succeed. */
async function vncAuthOk(ctx, wire, types) {
  if (!types?.includes(2)) return false;
  wire.write(u8(2));
  const challenge = await wire.read(16);
  if (!challenge) return false;
  wire.write(vncAuthResponse(ctx.password, challenge));
  const result = await wire.read(4);
  return result !== null && result.readUInt32BE(0) === 0;
}

/** Through VeNCrypt to the chosen subtype's go-ahead byte; false on the way. */
async function vencryptTo(wire, types, subtype) {
  if (!types?.includes(19)) return false;
  wire.write(u8(19));
  if (!(await wire.read(2))) return false;
  wire.write(Buffer.from([0, 2]));
  const ok = await wire.read(1);
  const n = ok && ok[0] === 0 ? await wire.read(1) : null;
  const list = n ? await wire.read(4 * n[0]) : null;
  if (!list) return false;
  wire.write(u32(subtype));
  if (subtype === 256) return true; // Plain: no TLS, no go-ahead byte
  const go = await wire.read(1);
  return go !== null && go[0] === 1;
}

const TLS_SUBTYPES = [259, 258, 262, 261];
const isAnon = (subtype) => subtype === 257 || subtype === 258 || subtype === 259;

/** A TLS record's fields to aim at: the length (offset 3, U16). */
const tlsRecord = (b) => seed(b, b.length >= 5 ? [[3, 2]] : []);

// ---- one function per state; the names are the summary's rows

export const STATES = {
  async version(ctx) {
    const wire = await begin(ctx, 'version');
    if (!wire) return;
    const s = ctx.r.pick(VERSIONS);
    await fire(ctx, 'version', wire, mutate(ctx.r, s, { other: u8(1), cut: ctx.cut('version') }));
  },

  async 'security-type'(ctx) {
    const wire = await begin(ctx, 'security-type');
    if (!wire) return;
    const types = await offer(wire, ctx.r.pick(['RFB 003.008\n', 'RFB 003.007\n']));
    if (!types) return ctx.note('security-type', 'notReached'), wire.destroy();
    await fire(ctx, 'security-type', wire, mutate(ctx.r, seed(u8(ctx.r.pick(types))), { other: u8(1) }));
  },

  async 'vnc-auth'(ctx) {
    const wire = await begin(ctx, 'vnc-auth');
    if (!wire) return;
    let challenge;
    if (ctx.r.chance(0.2)) {
      // 3.3: the server picks VNC Authentication itself.
      wire.write(Buffer.from('RFB 003.003\n', 'latin1'));
      const t = await wire.read(4);
      challenge = t && t.readUInt32BE(0) === 2 ? await wire.read(16) : null;
    } else {
      const types = await offer(wire);
      if (types?.includes(2)) {
        wire.write(u8(2));
        challenge = await wire.read(16);
      }
    }
    if (!challenge) return ctx.note('vnc-auth', 'notReached'), wire.destroy();
    const right = vncAuthResponse(ctx.password, challenge);
    await fire(ctx, 'vnc-auth', wire, mutate(ctx.r, seed(ctx.r.chance(0.7) ? right : ctx.r.bytes(16)), { other: cat(u8(1), SESSION_START), cut: ctx.cut('vnc-auth') }));
  },

  async 'vencrypt-version'(ctx) {
    const wire = await begin(ctx, 'vencrypt-version');
    if (!wire) return;
    const types = await offer(wire);
    if (!types?.includes(19)) return ctx.note('vencrypt-version', 'notReached'), wire.destroy();
    wire.write(u8(19));
    if (!(await wire.read(2))) return ctx.note('vencrypt-version', 'notReached'), wire.destroy();
    await fire(ctx, 'vencrypt-version', wire, mutate(ctx.r, seed(Buffer.from([0, 2])), { other: u32(259) }));
  },

  async 'vencrypt-subtype'(ctx) {
    const wire = await begin(ctx, 'vencrypt-subtype');
    if (!wire) return;
    const types = await offer(wire);
    if (!types?.includes(19)) return ctx.note('vencrypt-subtype', 'notReached'), wire.destroy();
    wire.write(u8(19));
    await wire.read(2);
    wire.write(Buffer.from([0, 2]));
    const ok = await wire.read(1);
    const n = ok?.[0] === 0 ? await wire.read(1) : null;
    const list = n ? await wire.read(4 * n[0]) : null;
    if (!list) return ctx.note('vencrypt-subtype', 'notReached'), wire.destroy();
    const offered = Array.from({ length: n[0] }, (_, i) => list.readUInt32BE(4 * i));
    await fire(ctx, 'vencrypt-subtype', wire, mutate(ctx.r, seed(u32(ctx.r.pick(offered))), { other: plainCredentials(ctx.user, ctx.userPassword).bytes, cut: ctx.cut('vencrypt-subtype') }));
  },

  /** Plain's user name and password in the clear (subtype 256). Each well-formed one costs the server a password hash. */
  async 'vencrypt-plain'(ctx) {
    const wire = await begin(ctx, 'vencrypt-plain');
    if (!wire) return;
    if (!(await vencryptTo(wire, await offer(wire), 256))) return ctx.note('vencrypt-plain', 'notReached'), wire.destroy();
    const s = plainCredentials(ctx.r.chance(0.5) ? ctx.user : 'mallory', ctx.r.chance(0.5) ? ctx.userPassword : 'guess');
    await fire(ctx, 'vencrypt-plain', wire, mutate(ctx.r, s, { other: u8(1), cut: ctx.cut('vencrypt-plain') }), { observe: 1500 });
  },

  /** The ClientHello (and whatever TLS sends first), mutated on its way out. */
  async 'tls-hello'(ctx) {
    const wire = await begin(ctx, 'tls-hello');
    if (!wire) return;
    const subtype = ctx.r.pick(TLS_SUBTYPES);
    if (!(await vencryptTo(wire, await offer(wire), subtype))) return ctx.note('tls-hello', 'notReached'), wire.destroy();
    let first = true;
    let op = null;
    const corrupt = (chunk) => {
      if (!first) return chunk;
      first = false;
      const m = mutate(ctx.r, tlsRecord(chunk), { cut: ctx.cut('tls-hello') });
      op = m.op;
      return m.bytes;
    };
    const done = wire.startTls({ anon: isAnon(subtype), corrupt, ms: 1500 });
    await new Promise((res) => setImmediate(res));
    ctx.count('tls-hello', 1, op ?? 'bitflip');
    const ok = await done;
    ctx.note('tls-hello', ok ? 'handshakeSurvived' : 'handshakeFailed');
    wire.destroy();
  },

  /** Inside a real TLS session: the inner authentication's messages and ClientInit, mutated. */
  async 'tls-inner'(ctx) {
    const wire = await begin(ctx, 'tls-inner');
    if (!wire) return;
    // The *Plain subtypes cost a password hash per try: mostly the *Vnc ones.
    const subtype = ctx.r.chance(0.15) ? ctx.r.pick([259, 262]) : ctx.r.pick([258, 261]);
    if (!(await vencryptTo(wire, await offer(wire), subtype)) || !(await wire.startTls({ anon: isAnon(subtype) }))) return ctx.note('tls-inner', 'notReached'), wire.destroy();
    if (subtype === 259 || subtype === 262) {
      return fire(ctx, 'tls-inner', wire, mutate(ctx.r, plainCredentials(ctx.user, ctx.userPassword), { other: u8(1) }), { observe: 1500 });
    }
    const challenge = await wire.read(16);
    if (!challenge) return ctx.note('tls-inner', 'notReached'), wire.destroy();
    const right = vncAuthResponse(ctx.password, challenge);
    if (ctx.r.chance(0.5)) return fire(ctx, 'tls-inner', wire, mutate(ctx.r, seed(right), { other: u8(1) }));
    wire.write(right);
    const result = await wire.read(4);
    if (!result || result.readUInt32BE(0) !== 0) return ctx.note('tls-inner', 'notReached'), wire.destroy();
    await fire(ctx, 'tls-inner', wire, mutate(ctx.r, seed(u8(1)), { other: SESSION_START }));
  },

  /** The TLS record layer itself: a record corrupted on the wire, or raw bytes pushed between records. */
  async 'tls-records'(ctx) {
    const wire = await begin(ctx, 'tls-records');
    if (!wire) return;
    const subtype = ctx.r.pick([258, 261]);
    if (!(await vencryptTo(wire, await offer(wire), subtype)) || !(await wire.startTls({ anon: isAnon(subtype) }))) return ctx.note('tls-records', 'notReached'), wire.destroy();
    const challenge = await wire.read(16);
    if (!challenge) return ctx.note('tls-records', 'notReached'), wire.destroy();
    let op = 'random';
    if (ctx.r.chance(0.5)) {
      // The next record out (the answer to the challenge) is mutated after encryption.
      wire.tap.corrupt = (chunk) => {
        wire.tap.corrupt = null;
        const m = mutate(ctx.r, tlsRecord(chunk), { cut: ctx.cut('tls-records') });
        op = m.op;
        return m.bytes;
      };
      wire.write(vncAuthResponse(ctx.password, challenge));
    } else {
      // Garbage straight into the record layer: random bytes, or a record header that lies.
      const header = Buffer.from([ctx.r.pick([20, 21, 22, 23, 24, 0, 255]), 3, ctx.r.pick([1, 3, 4]), 0, 0]);
      header.writeUInt16BE(ctx.r.pick([0, 1, 16, 0x4000, 0x4001, 0xffff]), 3);
      const garbage = ctx.r.chance(0.5);
      op = garbage ? 'random' : 'header';
      wire.writeRaw(garbage ? ctx.r.bytes(1 + ctx.r.int(64)) : Buffer.concat([header, ctx.r.bytes(ctx.r.int(48))]));
    }
    ctx.count('tls-records', 1, op);
    // The server lets a broken TLS session go after a grace period: watch for it now and then.
    if (await wire.waitClose(ctx.r.chance(0.1) ? 3000 : OBSERVE_MS)) ctx.note('tls-records', 'closedByServer');
    wire.destroy();
  },

  ...ra2States(),

  /** ClientInit after a successful authentication (VNC Authentication, or inside TLS or RSA-AES). */
  async 'client-init'(ctx) {
    const wire = await begin(ctx, 'client-init');
    if (!wire) return;
    const types = await offer(wire);
    if (!(await vncAuthOk(ctx, wire, types))) return ctx.note('client-init', 'notReached'), wire.destroy();
    await fire(ctx, 'client-init', wire, mutate(ctx.r, seed(u8(1)), { other: SESSION_START }));
  },
};

/** The RSA-AES states: a mutation at one step of the exchange (or of its records). */
function ra2States() {
  const one = (state, step) => async (ctx) => {
    const wire = await begin(ctx, state);
    if (!wire) return;
    const types = await offer(wire);
    const candidates = RA2_TYPES.filter((t) => types?.includes(t));
    if (candidates.length === 0) return ctx.note(state, 'notReached'), wire.destroy();
    const type = ctx.r.pick(candidates);
    wire.write(u8(type));
    let op = null;
    const mutateStep = (s, bytes) => {
      if (s !== step || state === 'ra2-records') return bytes;
      const lengths = s === 'key' ? [[0, 4]] : s === 'random' ? [[0, 2]] : s === 'credentials' ? ra2Credentials(ctx.user, ctx.userPassword).lengths : [];
      const m = mutate(ctx.r, seed(bytes, lengths), { cut: ctx.cut(state) });
      op = m.op;
      return m.bytes;
    };
    // ra2-records: the record carrying `step` is damaged after sealing.
    const records = state === 'ra2-records' ? recordDamage(ctx, step, (o) => (op = o)) : null;
    const res = await runRa2(wire, type, { user: ctx.user, password: ctx.userPassword, mutate: mutateStep, records });
    if (op === null) return ctx.note(state, 'notReached'), wire.destroy();
    ctx.count(state, 1, op);
    if (await wire.waitClose(step === 'credentials' ? 1500 : OBSERVE_MS)) ctx.note(state, 'closedByServer');
    else if (res.ok) ctx.note(state, 'stillOpen');
    wire.destroy();
  };
  return {
    'ra2-key': one('ra2-key', 'key'),
    'ra2-random': one('ra2-random', 'random'),
    'ra2-hash': one('ra2-hash', 'hash'),
    'ra2-credentials': one('ra2-credentials', 'credentials'),
    'ra2-records': one('ra2-records', 'hash'),
  };
}

/** Damage the first sealed record (bit flips, a lying length, truncation, random bytes, splicing). */
function recordDamage(ctx, _step, report) {
  let done = false;
  return (sealed) => {
    if (done) return sealed;
    done = true;
    const m = mutate(ctx.r, seed(sealed, [[0, 2]]), { cut: ctx.cut('ra2-records') });
    report(m.op);
    return m.bytes;
  };
}

/**
 * A session past the handshake (VNC Authentication, TLS or RSA-AES), fed
 * batches of messages, each mutated with a rate chosen per session, every
 * batch followed by a fence request: its answer proves the server read the
 * whole batch. Counted: the mutated messages of answered batches, and one
 * for a batch after which the server hung up or stopped answering (the
 * mutation that ended it). Returns when the session ends or `untilMs` passes.
 */
export async function normalSession(ctx, kind, untilMs) {
  const state = `normal/${kind}`;
  const wire = await begin(ctx, state);
  if (!wire) return;
  const types = await offer(wire);
  let ok = false;
  if (kind === 'vnc') ok = await vncAuthOk(ctx, wire, types);
  else if (kind === 'tls') {
    const subtype = ctx.r.pick([258, 261]);
    if ((await vencryptTo(wire, types, subtype)) && (await wire.startTls({ anon: isAnon(subtype) }))) {
      const challenge = await wire.read(16);
      if (challenge) wire.write(vncAuthResponse(ctx.password, challenge));
      const result = challenge ? await wire.read(4) : null;
      ok = result !== null && result.readUInt32BE(0) === 0;
    }
  } else {
    const type = ctx.r.pick([5, 129, 6, 130].filter((t) => types?.includes(t)));
    if (type) {
      wire.write(u8(type));
      const res = await runRa2(wire, type, { user: ctx.user, password: ctx.userPassword });
      const result = res.ok ? await wire.read(4, 5000) : null;
      ok = result !== null && result.readUInt32BE(0) === 0;
    }
  }
  if (!ok) return ctx.note(state, 'notReached'), wire.destroy();
  wire.write(u8(1));
  const init = await wire.read(24);
  const name = init ? await wire.read(init.readUInt32BE(20)) : null;
  if (!name) return ctx.note(state, 'notReached'), wire.destroy();
  wire.write(SESSION_START);
  const r = ctx.r;
  // Most sessions get field mutations (framing kept: they live long and go deep); the rest any mutation, at any rate.
  const gentle = r.chance(kind === 'vnc' ? 0.75 : 0.9);
  const rate = gentle ? r.pick([0.3, 0.6, 1]) : r.pick([0.02, 0.1, 0.3, 1]);
  while (!wire.closed && performance.now() < untilMs && !ctx.stopped()) {
    const n = 1 + r.int(gentle ? 200 : 48);
    const parts = [];
    let mutated = 0;
    for (let i = 0; i < n; i++) {
      const s = r.pick(NORMAL_SEEDS);
      if (r.chance(rate)) {
        const m = gentle ? mutateField(r, s) : mutate(r, s, { other: r.pick(NORMAL_SEEDS).bytes });
        parts.push(m.bytes);
        if (m.op === 'none') continue;
        mutated++;
        ctx.op(m.op);
      } else parts.push(s.bytes);
    }
    await ctx.pace(n);
    const payload = r.bytes(24);
    const answered = wire.inbox.waitFor(payload, 5000);
    const batch = Buffer.concat([...parts, fenceRequest(payload)]);
    if (r.chance(0.3)) await wire.writeSplit(r, batch);
    else wire.write(batch);
    if (await answered) {
      ctx.count(state, mutated, null);
      ctx.note(state, 'batchesAnswered');
    } else {
      if (mutated > 0) ctx.count(state, 1, null);
      ctx.note(state, wire.closed ? 'closedByServer' : 'desynced');
      break;
    }
  }
  wire.destroy();
}

/**
 * A handshake left unfinished on purpose (a message cut short, then
 * silence): the server must hang up by itself within its handshake timeout.
 */
export async function stall(ctx, timeoutMs) {
  const wire = await begin(ctx, 'stalled');
  if (!wire) return;
  const step = ctx.r.int(3);
  if (step === 0) wire.write(Buffer.from('RFB 003.0', 'latin1'));
  else {
    const types = await offer(wire);
    if (step === 2 && types?.includes(2)) {
      wire.write(u8(2));
      await wire.read(16);
      wire.write(ctx.r.bytes(7));
    }
  }
  ctx.count('stalled', 1, 'truncate');
  const started = performance.now();
  const closed = await wire.waitClose(timeoutMs);
  ctx.note('stalled', closed ? 'closedByServer' : 'notClosed');
  if (closed) ctx.stallClosedAfter(performance.now() - started);
  wire.destroy();
}
