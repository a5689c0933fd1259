import { clientInfo as client } from '../../../support/control-fixtures.js';
import { describe, expect, it } from 'vitest';
import type { NoticeOptions } from '../../../../src/main/electron/electron-seam.js';
import { ClientWatcher, clientNotices } from '../../../../src/main/electron/tray/viewer-notifications.js';


const a = client('a', '192.168.1.20:50001');
const b = client('b', '10.0.0.9:40000', true);

describe('clientNotices', () => {
  it('names the address of a viewer that connects, and whether it can control', () => {
    expect(clientNotices([], [a])).toEqual([{ title: 'Viewer connected', body: '192.168.1.20:50001 is viewing and can control your screen' }]);
    expect(clientNotices([a], [a, b])).toEqual([{ title: 'Viewer connected', body: '10.0.0.9:40000 is viewing your screen (view only)' }]);
  });

  it('names the address of a viewer that leaves', () => {
    expect(clientNotices([a, b], [b])).toEqual([{ title: 'Viewer left', body: '192.168.1.20:50001 disconnected' }]);
  });

  it('says nothing when only a client’s control changed', () => {
    expect(clientNotices([a], [{ ...a, viewOnly: true }])).toEqual([]);
  });

  it('reports departures before arrivals when both happen', () => {
    expect(clientNotices([a], [b]).map((n) => n.title)).toEqual(['Viewer left', 'Viewer connected']);
  });
});

describe('ClientWatcher', () => {
  it('notifies each change once, and nothing after a reset', () => {
    const seen: NoticeOptions[] = [];
    const w = new ClientWatcher((n) => seen.push(n));
    w.update([a]);
    w.update([a]);
    w.update([a, b]);
    expect(seen.map((n) => n.title)).toEqual(['Viewer connected', 'Viewer connected']);
    w.reset([]);
    w.update([]);
    expect(seen).toHaveLength(2);
    w.reset([a]);
    w.update([a]);
    expect(seen).toHaveLength(2);
  });
});
