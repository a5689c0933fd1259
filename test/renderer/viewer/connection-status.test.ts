import { describe, expect, it } from 'vitest';
import { RECONNECT_TRIES, describeDrop, reconnectDelayMs, statusText, type DropFacts } from '../../../src/renderer/viewer/connection-status.js';

const drop = (f: Partial<DropFacts>): DropFacts => ({ opened: true, connected: true, clean: true, close: null, securityFailure: null, byUser: null, ...f });

describe('viewer connection status', () => {
  it('waits 1 s doubling to 30 s between tries, and stops after the last', () => {
    expect(RECONNECT_TRIES).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
    expect(reconnectDelayMs(6)).toBeNull();
    expect(reconnectDelayMs(100)).toBeNull();
    expect(reconnectDelayMs(-1)).toBeNull();
    expect(reconnectDelayMs(0.5)).toBeNull();
  });

  it('says each state in words', () => {
    expect(statusText({ kind: 'connecting' })).toBe('Connecting…');
    expect(statusText({ kind: 'connected', desktopName: '' })).toBe('Connected');
    expect(statusText({ kind: 'connected', desktopName: 'ada@box' })).toBe('Connected to ada@box');
    expect(statusText({ kind: 'disconnected', reason: 'you disconnected' })).toBe('Disconnected: you disconnected');
    expect(statusText({ kind: 'reconnecting', reason: 'the connection was lost', seconds: 3.2, attempt: 1 })).toBe(
      'Disconnected: the connection was lost. Reconnecting in 4 s (try 2 of 6)',
    );
    expect(statusText({ kind: 'reconnecting', reason: 'x', seconds: -0.3, attempt: 0 })).toContain('Reconnecting in 0 s (try 1 of 6)');
  });

  it('tries again after a drop, not after a refusal, a deliberate close or the user', () => {
    // The network went: the socket closed without a close frame.
    expect(describeDrop(drop({ close: { code: 1006, reason: '', wasClean: false } }))).toEqual({ reason: 'the connection was lost', retry: true });
    // noVNC failed (a protocol error) while connected.
    expect(describeDrop(drop({ clean: false }))).toEqual({ reason: 'the connection was lost', retry: true });
    expect(describeDrop(drop({ opened: false, connected: false, clean: false }))).toEqual({ reason: 'could not reach the server', retry: true });
    expect(describeDrop(drop({ connected: false, clean: false, close: { code: 1008, reason: 'too many', wasClean: true } }))).toEqual({
      reason: 'the connection failed before the desktop was shown (too many)',
      retry: true,
    });
    // The server closed it properly (a dashboard's Disconnect): coming back would undo that.
    expect(describeDrop(drop({ close: { code: 1000, reason: '', wasClean: true } }))).toEqual({ reason: 'the server closed the connection', retry: false });
    expect(describeDrop(drop({ connected: false, clean: false, securityFailure: { reason: 'Authentication failed' } }))).toEqual({
      reason: 'login refused (Authentication failed)',
      retry: false,
    });
    expect(describeDrop(drop({ securityFailure: { reason: undefined } })).reason).toBe('login refused');
    expect(describeDrop(drop({ clean: false, byUser: 'no password given' }))).toEqual({ reason: 'no password given', retry: false });
  });
});
