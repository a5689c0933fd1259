import { describe, expect, it } from 'vitest';
import { controlSocketUrl, pageHasToken, reconnectDelay } from '../../src/renderer/api/socket-url.js';

describe('control socket address', () => {
  it('goes back to the page’s host with its token', () => {
    expect(controlSocketUrl('http://127.0.0.1:7900/?token=abc#metrics')).toBe('ws://127.0.0.1:7900/control?token=abc');
    expect(controlSocketUrl('https://box.example:8443/index.html?x=1&token=a%2Bb')).toBe('wss://box.example:8443/control?token=a%2Bb');
    expect(controlSocketUrl('http://[::1]:7900/')).toBe('ws://[::1]:7900/control');
    expect(pageHasToken('http://h/?token=')).toBe(false);
    expect(pageHasToken('http://h/?token=t')).toBe(true);
  });

  it('backs off from half a second, doubling, to at most ten', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});
