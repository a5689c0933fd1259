import { describe, expect, it } from 'vitest';
import { hostPort, isHostOrAddress, isLoopbackHost, isWildcardHost } from '../../src/shared/hosts.js';

describe('hosts', () => {
  it('knows the wildcard listening addresses', () => {
    expect(isWildcardHost('0.0.0.0')).toBe(true);
    expect(isWildcardHost('::')).toBe(true);
    expect(isWildcardHost('[::]')).toBe(true);
    expect(isWildcardHost('')).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
    expect(isWildcardHost('192.168.1.5')).toBe(false);
  });

  it('knows loopback names and addresses, and nothing that only looks like one', () => {
    for (const h of ['localhost', 'LocalHost', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.5', '127.0.0.1.evil.example', 'localhost.evil.example', '::', '128.0.0.1', '']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('accepts IP addresses and RFC 1123 host names as listen addresses, and nothing else', () => {
    const good = ['127.0.0.1', '0.0.0.0', '192.168.1.5', '::', '::1', '2001:db8::7', 'fe80::1%eth0', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', 'my-pc', 'my-pc.local', '1password.example', 'vnc.example.org.'];
    for (const h of good) expect(isHostOrAddress(h), h).toBe(true);
    const bad = ['', ' ', 'not a host!!', 'a..b', '.example', '-lead.example', 'trail-.example', 'under_score', 'x'.repeat(64), `${'a.'.repeat(127)}ab`, '300.1.2.3', '1.2.3', '01.2.3.4', '[::1]', ':::1', '1::2::3', 'fe80::1%', '127.0.0.1:5900', 'http://example.org'];
    for (const h of bad) expect(isHostOrAddress(h), JSON.stringify(h)).toBe(false);
  });

  it('writes host:port with IPv6 hosts in brackets', () => {
    expect(hostPort('127.0.0.1', 5900)).toBe('127.0.0.1:5900');
    expect(hostPort('::1', 5900)).toBe('[::1]:5900');
  });
});
