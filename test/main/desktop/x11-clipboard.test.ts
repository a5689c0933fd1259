import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GetPropertyReply, SelectionNotifyEvent, XEvent } from 'x11';
import type { Selection } from '../../../src/main/desktop/input.js';
import { encodeLatin1, truncateUtf8 } from '../../../src/main/desktop/x11/selection-text.js';
import { X11Clipboard, type X11ClipboardOptions } from '../../../src/main/desktop/x11/x11-clipboard.js';
import { openX11, type X11Connection } from '../../../src/main/desktop/x11/x11-connection.js';
import { startXvfb, type XvfbHandle } from '../../support/xvfb.js';
import { waitFor } from '../../support/wait.js';

const KIB = 1024;
const MIB = 1024 * 1024;
const XA_STRING = 31;
const XA_INTEGER = 19;
const PROPERTY_CHANGE_MASK = 0x00400000;

/**
 * 10 UTF-8 bytes: a 256 KiB cut (262144 = 26214 × 10 + 4) lands inside the
 * '€', a 1 MiB one (104857 × 10 + 6) inside the emoji.
 */
const UNIT = 'ab€😀\n';

/** Exactly `bytes` bytes of UTF-8 made of UNIT and ASCII filler. */
function bigText(bytes: number): string {
  const n = Math.floor(bytes / 10);
  return UNIT.repeat(n) + 'x'.repeat(bytes - n * 10);
}

describe('selection text helpers', () => {
  it('encodes Latin-1 with one ? per character outside it', () => {
    expect([...encodeLatin1('héllo € ☺')]).toEqual([...Buffer.from('h\xe9llo ? ?', 'latin1')]);
    expect(encodeLatin1('a😀b').toString('latin1')).toBe('a?b'); // a surrogate pair is one character
    expect(encodeLatin1('\ud800x').toString('latin1')).toBe('?x'); // a lone surrogate too
    expect(encodeLatin1('').length).toBe(0);
  });

  it('truncates UTF-8 at a character boundary', () => {
    const b = Buffer.from('a€b😀', 'utf8'); // 1 + 3 + 1 + 4
    expect(Buffer.from(truncateUtf8(b, 9)).toString()).toBe('a€b😀');
    expect(Buffer.from(truncateUtf8(b, 8)).toString()).toBe('a€b');
    expect(Buffer.from(truncateUtf8(b, 5)).toString()).toBe('a€b');
    expect(Buffer.from(truncateUtf8(b, 3)).toString()).toBe('a');
    expect(Buffer.from(truncateUtf8(b, 1)).toString()).toBe('a');
    expect(truncateUtf8(b, 0).length).toBe(0);
  });
});

describe('X11Clipboard on Xvfb', () => {
  let xvfb: XvfbHandle;
  const children = new Set<ChildProcess>();
  const clipboards: X11Clipboard[] = [];
  const rawConnections: X11Connection[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 320, height: 240 });
  });

  afterEach(async () => {
    await Promise.all(clipboards.splice(0).map((c) => c.stop()));
    await Promise.all(rawConnections.splice(0).map((c) => c.close()));
    await Promise.all([...children].map((c) => stopChild(c)));
  });

  afterAll(async () => {
    await xvfb?.stop();
  });

  interface Seen {
    text: string;
    selection: Selection;
    at: number;
  }

  async function clipboard(options: X11ClipboardOptions = {}): Promise<{ clip: X11Clipboard; seen: Seen[] }> {
    const clip = new X11Clipboard({ display: xvfb.display, ...options });
    clipboards.push(clip);
    await clip.start();
    const seen: Seen[] = [];
    clip.onChange((text, selection) => seen.push({ text, selection, at: performance.now() }));
    return { clip, seen };
  }

  /** Run xclip, stdout as raw bytes. */
  function xclipOut(args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      execFile(
        'xclip',
        ['-o', ...args],
        { env: { ...process.env, DISPLAY: xvfb.display }, encoding: 'buffer', timeout: 10_000, maxBuffer: 64 * MIB },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    });
  }

  /**
   * `xclip -i` in the foreground (-quiet: no fork), owning `selection` until it
   * loses it, is killed, or has served `loops` requests.
   */
  function xclipIn(selection: Selection, data: string | Buffer, loops = 0, extra: string[] = []): ChildProcess {
    const child = spawn('xclip', ['-quiet', '-i', '-selection', selection, ...(loops ? ['-loops', String(loops)] : []), ...extra], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stdin?.on('error', () => {
      /* it may exit early; the test then fails on what it expected */
    });
    child.stdin?.end(data);
    return child;
  }

  async function rawConnection(): Promise<X11Connection> {
    const conn = await openX11(xvfb.display, { shm: false });
    rawConnections.push(conn);
    return conn;
  }

  it('serves its text as UTF-8 and as Latin-1 STRING on both selections', async () => {
    const { clip, seen } = await clipboard();
    const text = 'héllo € ☺';
    await clip.write(text);
    expect(clip.owns('clipboard')).toBe(true);
    expect(clip.owns('primary')).toBe(true);

    expect((await xclipOut(['-selection', 'clipboard'])).toString('utf8')).toBe(text);
    expect((await xclipOut(['-selection', 'primary'])).toString('utf8')).toBe(text);
    expect([...(await xclipOut(['-selection', 'clipboard', '-t', 'STRING']))]).toEqual([...Buffer.from('h\xe9llo ? ?', 'latin1')]);
    expect((await xclipOut(['-selection', 'clipboard', '-t', 'UTF8_STRING'])).toString('utf8')).toBe(text);
    expect((await xclipOut(['-selection', 'clipboard', '-t', 'text/plain;charset=utf-8'])).toString('utf8')).toBe(text);
    expect((await xclipOut(['-selection', 'clipboard', '-t', 'TEXT'])).toString('utf8')).toBe(text);
    const targets = (await xclipOut(['-selection', 'clipboard', '-t', 'TARGETS'])).toString().split('\n').filter(Boolean);
    expect(targets).toEqual(expect.arrayContaining(['TARGETS', 'TIMESTAMP', 'MULTIPLE', 'UTF8_STRING', 'STRING', 'TEXT', 'text/plain;charset=utf-8']));
    await expect(xclipOut(['-selection', 'clipboard', '-t', 'image/png'])).rejects.toThrow();

    // one selection only; our own ownership is not reported as a change
    await clip.write('only primary', 'primary');
    expect((await xclipOut(['-selection', 'primary'])).toString()).toBe('only primary');
    expect((await xclipOut(['-selection', 'clipboard'])).toString()).toBe(text);
    expect(seen).toEqual([]);
  });

  for (const selection of ['clipboard', 'primary'] as const) {
    it(`reports text another program puts on ${selection}`, async () => {
      const { seen } = await clipboard();
      const ms: number[] = [];
      for (const text of ['text', 'naïve € 😀 ☺ 中文', '']) {
        const before = seen.length;
        const t0 = performance.now();
        xclipIn(selection, text);
        const got = await waitFor(`${JSON.stringify(text)} on ${selection}`, () => seen.slice(before).find((s) => s.text === text));
        ms.push(got.at - t0);
        expect(got.selection).toBe(selection);
      }
      expect(seen.every((s) => s.selection === selection)).toBe(true);
      if (process.env['TRAYVNC_TEST_TIMING']) console.info(`xclip -i spawn→onChange ms (${selection}): ${ms.map((m) => m.toFixed(1)).join(', ')}`);
    });
  }

  it('falls back to STRING (Latin-1) when the owner offers no UTF8_STRING', async () => {
    const { seen } = await clipboard();
    xclipIn('clipboard', Buffer.from('caf\xe9 \xa3', 'latin1'), 0, ['-t', 'STRING']);
    const got = await waitFor('the Latin-1 text', () => seen[0]);
    expect(got).toMatchObject({ text: 'café £', selection: 'clipboard' });
  });

  it('serves 1 MiB with INCR, to several requestors at once', async () => {
    const { clip } = await clipboard();
    const big = bigText(MIB);
    const expected = Buffer.from(big, 'utf8');
    expect(expected.length).toBe(MIB);
    await clip.write(big);
    const t0 = performance.now();
    const one = await xclipOut(['-selection', 'clipboard']);
    if (process.env['TRAYVNC_TEST_TIMING']) console.info(`xclip -o of 1 MiB (INCR) ${(performance.now() - t0).toFixed(1)} ms`);
    expect(one.equals(expected)).toBe(true);
    const reads = await Promise.all([
      xclipOut(['-selection', 'clipboard']),
      xclipOut(['-selection', 'clipboard']),
      xclipOut(['-selection', 'primary']),
      xclipOut(['-selection', 'clipboard', '-t', 'STRING']),
    ]);
    for (const r of reads.slice(0, 3)) {
      expect(r.length).toBe(MIB);
      expect(r.equals(expected)).toBe(true);
    }
    expect(reads[3]?.equals(encodeLatin1(big))).toBe(true);
  });

  it('truncates 1 MiB from another program to maxBytes at a character boundary', async () => {
    const { seen } = await clipboard(); // default limit: 256 KiB
    const big = bigText(MIB);
    xclipIn('clipboard', big);
    const got = await waitFor('the truncated text', () => seen[0]);
    expect(got.selection).toBe('clipboard');
    // 262144 falls inside a '€': the cut goes back to before it
    expect(got.text).toBe(UNIT.repeat(26214) + 'ab');
    expect(Buffer.byteLength(got.text)).toBe(256 * KIB - 2);
    expect(seen).toHaveLength(1);
  });

  it("with oversize 'drop' ignores text over the limit and keeps working", async () => {
    const { seen } = await clipboard({ maxBytes: 1000, oversize: 'drop' });
    // xclip quits once it has served one request: then our read of it is (all but) done
    const served = (child: ChildProcess): Promise<unknown> => waitFor('xclip to serve us', () => child.exitCode !== null || child.signalCode !== null);
    await served(xclipIn('clipboard', bigText(5000), 1));
    await sleep(100);
    // then a small one: reported, and the large one never was
    xclipIn('clipboard', 'small');
    await waitFor('the small text', () => seen.find((s) => s.text === 'small'));
    await served(xclipIn('clipboard', bigText(MIB), 1)); // INCR from xclip (its chunk is just under 1 MiB), drained unread
    await sleep(100);
    xclipIn('clipboard', 'small again');
    await waitFor('the second small text', () => seen.find((s) => s.text === 'small again'));
    expect(seen.map((s) => s.text)).toEqual(['small', 'small again']);
  });

  it('receives INCR transfers in full when the limit allows', async () => {
    const { clip: a } = await clipboard();
    const { seen } = await clipboard({ maxBytes: 4 * MIB });

    // from another instance: our INCR sender to our INCR receiver (256 KiB chunks)
    const big = bigText(MIB);
    const t0 = performance.now();
    await a.write(big, 'clipboard');
    const got = await waitFor('1 MiB from the other instance', () => seen.find((s) => s.text.length > 1000));
    expect(got.text === big).toBe(true);
    const t1 = performance.now();

    // from xclip: 3 MiB is over its ~1 MiB chunk, so INCR too. xclip serves one
    // INCR requestor at a time and drops requests that come meanwhile, so the
    // other instance (which would read it too) goes first.
    await a.stop();
    const bigger = bigText(3 * MIB);
    xclipIn('primary', bigger);
    const got2 = await waitFor('3 MiB from xclip', () => seen.find((s) => s.selection === 'primary'), 15_000);
    expect(Buffer.byteLength(got2.text)).toBe(3 * MIB);
    expect(got2.text === bigger).toBe(true);
    if (process.env['TRAYVNC_TEST_TIMING']) console.info(`1 MiB instance→instance ${(got.at - t0).toFixed(1)} ms; 3 MiB xclip spawn→onChange ${(got2.at - t1).toFixed(1)} ms`);
  });

  it('handles losing ownership and takes it back on the next write', async () => {
    const { clip, seen } = await clipboard();
    await clip.write('ours');
    const owner = xclipIn('clipboard', 'theirs');
    await waitFor('the SelectionClear', () => !clip.owns('clipboard'));
    expect(clip.owns('primary')).toBe(true);
    await waitFor('their text', () => seen.find((s) => s.text === 'theirs'));
    expect((await xclipOut(['-selection', 'clipboard'])).toString()).toBe('theirs');

    await clip.write('ours again', 'clipboard');
    expect(clip.owns('clipboard')).toBe(true);
    expect((await xclipOut(['-selection', 'clipboard'])).toString()).toBe('ours again');
    // xclip quits once it is no longer the owner
    await waitFor('xclip to exit', () => owner.exitCode !== null || owner.signalCode !== null);
    expect(seen.map((s) => s.text)).toEqual(['theirs']);
  });

  it('answers MULTIPLE and TIMESTAMP, refusing what it does not offer', async () => {
    const { clip } = await clipboard();
    await clip.write('multi ☺', 'clipboard');
    const raw = await rawConnection();
    const c = raw.client;
    const atom = (name: string): Promise<number> => raw.request<number>((cb) => c.InternAtom(false, name, cb));
    const [CLIPBOARD, MULTIPLE, ATOM_PAIR, UTF8, PNG, TIMESTAMP, P1, P2, P3, P4, M] = await Promise.all(
      ['CLIPBOARD', 'MULTIPLE', 'ATOM_PAIR', 'UTF8_STRING', 'image/png', 'TIMESTAMP', 'P1', 'P2', 'P3', 'P4', 'M'].map(atom),
    ) as number[] as [number, number, number, number, number, number, number, number, number, number, number];
    const win = c.AllocID();
    c.CreateWindow(win, raw.root, 0, 0, 1, 1, 0, 0, 2, 0, { eventMask: PROPERTY_CHANGE_MASK });
    c.ChangeProperty(0, win, M, ATOM_PAIR, 32, [UTF8, P1, XA_STRING, P2, PNG, P3, TIMESTAMP, P4]);
    const answer = nextEvent(c, (ev) => ev.type === 31);
    c.ConvertSelection(win, CLIPBOARD, MULTIPLE, M, 0);
    const ev = (await answer) as SelectionNotifyEvent;
    expect(ev.property).toBe(M);
    const get = (p: number): Promise<GetPropertyReply> => raw.request<GetPropertyReply>((cb) => c.GetProperty(0, win, p, 0, 0, 1024, cb));
    const pairs = await get(M);
    const list = Array.from({ length: pairs.data.length / 4 }, (_, i) => pairs.data.readUInt32LE(i * 4));
    expect(list).toEqual([UTF8, P1, XA_STRING, P2, 0, P3, TIMESTAMP, P4]);
    expect((await get(P1)).data.toString('utf8')).toBe('multi ☺');
    expect((await get(P2)).data.toString('latin1')).toBe('multi ?');
    expect((await get(P3)).type).toBe(0);
    const ts = await get(P4);
    expect(ts.type).toBe(XA_INTEGER);
    expect(ts.data.readUInt32LE(0)).toBeGreaterThan(0);
  });

  it('gives up on an owner that never answers, then goes on reporting', async () => {
    const { seen } = await clipboard({ timeoutMs: 300 });
    const raw = await rawConnection();
    const c = raw.client;
    const CLIPBOARD = await raw.request<number>((cb) => c.InternAtom(false, 'CLIPBOARD', cb));
    const win = c.AllocID();
    c.CreateWindow(win, raw.root, 0, 0, 1, 1, 0, 0, 2, 0, {});
    const request = nextEvent(c, (ev) => ev.type === 30);
    c.SetSelectionOwner(win, CLIPBOARD, 0);
    await request; // asked, and left unanswered
    const t0 = performance.now();
    xclipIn('clipboard', 'after the silent owner');
    const got = await waitFor('the text after the silent owner', () => seen.find((s) => s.text === 'after the silent owner'));
    expect(got.at - t0).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
  });

  it('gives up on an INCR owner that stops sending, then goes on reporting', async () => {
    const { seen } = await clipboard({ timeoutMs: 300 });
    const raw = await rawConnection();
    const c = raw.client;
    const [CLIPBOARD, INCR] = await Promise.all(['CLIPBOARD', 'INCR'].map((n) => raw.request<number>((cb) => c.InternAtom(false, n, cb))));
    const win = c.AllocID();
    c.CreateWindow(win, raw.root, 0, 0, 1, 1, 0, 0, 2, 0, {});
    // announce an INCR transfer, then never send a chunk
    const request = nextEvent(c, (ev) => ev.type === 30);
    c.SetSelectionOwner(win, CLIPBOARD ?? 0, 0);
    const req = (await request) as unknown as { time: number; requestor: number; selection: number; target: number; property: number };
    c.ChangeProperty(0, req.requestor, req.property, INCR ?? 0, 32, [100_000]);
    c.SendEvent(req.requestor, 0, 0, { type: 31, seq: 0, time: req.time, requestor: req.requestor, selection: req.selection, target: req.target, property: req.property });
    await raw.sync();
    await sleep(500); // past the 300 ms step timeout
    xclipIn('clipboard', 'after the stalled owner');
    await waitFor('the text after the stalled owner', () => seen.find((s) => s.text === 'after the stalled owner'));
    expect(seen).toHaveLength(1);
  });

  it('keeps serving others while an INCR requestor stalls', async () => {
    const { clip } = await clipboard({ incrTimeoutMs: 500 });
    const big = bigText(MIB);
    await clip.write(big, 'clipboard');
    const raw = await rawConnection();
    const c = raw.client;
    const [CLIPBOARD, UTF8, INCR, P] = await Promise.all(['CLIPBOARD', 'UTF8_STRING', 'INCR', 'P'].map((n) => raw.request<number>((cb) => c.InternAtom(false, n, cb)))) as number[] as [number, number, number, number];
    const win = c.AllocID();
    c.CreateWindow(win, raw.root, 0, 0, 1, 1, 0, 0, 2, 0, { eventMask: PROPERTY_CHANGE_MASK });
    const answer = nextEvent(c, (ev) => ev.type === 31);
    c.ConvertSelection(win, CLIPBOARD, UTF8, P, 0);
    expect(((await answer) as SelectionNotifyEvent).property).toBe(P);
    const header = await raw.request<GetPropertyReply>((cb) => c.GetProperty(0, win, P, 0, 0, 16, cb));
    expect(header.type).toBe(INCR);
    expect(header.data.readUInt32LE(0)).toBe(MIB);
    // we never delete P: that transfer stalls while xclip is served in full
    expect((await xclipOut(['-selection', 'clipboard'])).equals(Buffer.from(big))).toBe(true);
    await sleep(700); // the stalled transfer is dropped; nothing breaks
    expect((await xclipOut(['-selection', 'clipboard'])).length).toBe(MIB);
  });

  it('notices changes quickly', async () => {
    const { clip: a } = await clipboard();
    const { seen } = await clipboard();
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await a.write(`round ${i}`, 'clipboard');
      const got = await waitFor(`round ${i}`, () => seen.find((s) => s.text === `round ${i}`));
      ms.push(got.at - t0);
    }
    ms.sort((x, y) => x - y);
    if (process.env['TRAYVNC_TEST_TIMING']) console.info(`write→onChange ms: median ${ms[5]?.toFixed(2)}, min ${ms[0]?.toFixed(2)}, max ${ms[9]?.toFixed(2)}`);
    expect(ms[5]).toBeLessThan(200);
  });

  it('rejects writes when not running and stops cleanly', async () => {
    const clip = new X11Clipboard({ display: xvfb.display });
    await expect(clip.write('x')).rejects.toThrow(/not running/);
    await clip.start();
    await clip.write('bye');
    await clip.stop();
    await clip.stop();
    await expect(clip.write('x')).rejects.toThrow(/not running/);
    // its window is gone, and the ownership with it
    await expect(xclipOut(['-selection', 'clipboard'])).rejects.toThrow();
    // no display there: start() rejects (bounded) and can be tried again
    const nowhere = new X11Clipboard({ display: ':4999', connectTimeoutMs: 1000 });
    await expect(nowhere.start()).rejects.toThrow();
    await expect(nowhere.start()).rejects.toThrow(/4999/);
  });
});

function nextEvent(client: X11Connection['client'], match: (ev: XEvent) => boolean, ms = 3000): Promise<XEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('event', on);
      reject(new Error(`no matching X event within ${ms} ms`));
    }, ms);
    const on = (ev: XEvent): void => {
      if (!match(ev)) return;
      clearTimeout(timer);
      client.removeListener('event', on);
      resolve(ev);
    };
    client.on('event', on);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  child.kill('SIGTERM');
  await exited;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
