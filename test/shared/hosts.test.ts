import { describe, expect, it } from 'vitest';
import { hostPort, isLoopbackHost, isWildcardHost } from '../../src/shared/hosts.js';

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

  it('writes host:port with IPv6 hosts in brackets', () => {
    expect(hostPort('127.0.0.1', 5900)).toBe('127.0.0.1:5900');
    expect(hostPort('::1', 5900)).toBe('[::1]:5900');
  });
});
