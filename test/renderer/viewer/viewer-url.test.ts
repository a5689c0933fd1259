import { describe, expect, it } from 'vitest';
import { viewerAddress } from '../../../src/renderer/viewer/viewer-url.js';

describe('viewer socket address', () => {
  it('goes to /websockify on the host and port that served the page, wss for https', () => {
    expect(viewerAddress('http://127.0.0.1:5980/viewer')).toEqual({ socketUrl: 'ws://127.0.0.1:5980/websockify', invite: null, cleanHref: null });
    expect(viewerAddress('https://box.example:8443/viewer/?x=1').socketUrl).toBe('wss://box.example:8443/websockify');
    expect(viewerAddress('http://[::1]:5980/viewer/').socketUrl).toBe('ws://[::1]:5980/websockify');
    expect(viewerAddress('http://host/viewer').socketUrl).toBe('ws://host/websockify');
    // A fragment without an invitation stays where it is.
    expect(viewerAddress('http://h:1/viewer#other=1')).toEqual({ socketUrl: 'ws://h:1/websockify', invite: null, cleanHref: null });
    expect(viewerAddress('http://h:1/viewer#invite=').invite).toBeNull();
  });

  it('passes an invitation from the fragment to the socket and takes it out of the address', () => {
    expect(viewerAddress('http://127.0.0.1:5980/viewer#invite=abc123')).toEqual({
      socketUrl: 'ws://127.0.0.1:5980/websockify?invite=abc123',
      invite: 'abc123',
      cleanHref: 'http://127.0.0.1:5980/viewer',
    });
    // Characters that mean something in a query are escaped; the fragment's own escapes are undone first.
    const odd = viewerAddress('https://h:8443/viewer/?lang=en#invite=a%2Bb%26c%3Dd%20e');
    expect(odd.invite).toBe('a+b&c=d e');
    expect(odd.socketUrl).toBe('wss://h:8443/websockify?invite=a%2Bb%26c%3Dd%20e');
    expect(new URL(odd.socketUrl).searchParams.get('invite')).toBe('a+b&c=d e');
    expect(odd.cleanHref).toBe('https://h:8443/viewer/?lang=en');
    // Other fragment parameters stay.
    expect(viewerAddress('http://h/viewer#invite=s&view=1').cleanHref).toBe('http://h/viewer#view=1');
    expect(viewerAddress('http://h/viewer#a=1&invite=s&b=2').cleanHref).toBe('http://h/viewer#a=1&b=2');
    // A '+' is itself (the fragment is not a form), and broken escapes are taken as written.
    expect(viewerAddress('http://h/viewer#invite=a+b').invite).toBe('a+b');
    expect(viewerAddress('http://h/viewer#invite=a+b').socketUrl).toBe('ws://h/websockify?invite=a%2Bb');
    expect(viewerAddress('http://h/viewer#invite=50%').invite).toBe('50%');
    // The secret as the server makes it (32 random bytes, base64url).
    const secret = 'q3Jv_8-Zk1mN0pQrStUvWxYz0123456789abcdefGHI';
    expect(viewerAddress(`http://192.168.1.20:5980/viewer#invite=${secret}`)).toEqual({
      socketUrl: `ws://192.168.1.20:5980/websockify?invite=${secret}`,
      invite: secret,
      cleanHref: 'http://192.168.1.20:5980/viewer',
    });
  });
});
