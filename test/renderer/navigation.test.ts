import { describe, expect, it } from 'vitest';
import { pageFromHash, tabAfterKey } from '../../src/renderer/navigation.js';

describe('page navigation', () => {
  it('reads the page from the hash, clients by default', () => {
    expect(pageFromHash('')).toBe('clients');
    expect(pageFromHash('#metrics')).toBe('metrics');
    expect(pageFromHash('#/settings')).toBe('settings');
    expect(pageFromHash('#recordings')).toBe('recordings');
    expect(pageFromHash('#nonsense')).toBe('clients');
  });

  it('moves between tabs with arrow keys, Home and End', () => {
    expect(tabAfterKey('clients', 'ArrowRight')).toBe('metrics');
    expect(tabAfterKey('settings', 'ArrowRight')).toBe('clients');
    expect(tabAfterKey('clients', 'ArrowLeft')).toBe('settings');
    expect(tabAfterKey('metrics', 'Home')).toBe('clients');
    expect(tabAfterKey('metrics', 'End')).toBe('settings');
    expect(tabAfterKey('metrics', 'ArrowRight')).toBe('recordings');
    expect(tabAfterKey('settings', 'ArrowLeft')).toBe('recordings');
    expect(tabAfterKey('metrics', 'Enter')).toBeNull();
  });
});
