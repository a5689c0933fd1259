import { useRef, type KeyboardEvent } from 'react';
import { PAGES, tabAfterKey, type PageId } from '../navigation.js';

export const tabId = (page: PageId) => `tab-${page}`;
export const panelId = (page: PageId) => `panel-${page}`;

/** The page tabs (WAI-ARIA tabs pattern: one tab stop, arrow keys move and select). */
export function Tabs({ current, onSelect }: { current: PageId; onSelect: (page: PageId) => void }) {
  const listRef = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = tabAfterKey(current, e.key);
    if (!next) return;
    e.preventDefault();
    onSelect(next);
    listRef.current?.querySelector<HTMLElement>(`#${tabId(next)}`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Pages" ref={listRef} onKeyDown={onKeyDown}>
      {PAGES.map((p) => (
        <button
          key={p.id}
          type="button"
          role="tab"
          id={tabId(p.id)}
          aria-selected={p.id === current}
          aria-controls={panelId(p.id)}
          tabIndex={p.id === current ? 0 : -1}
          className="tab"
          onClick={() => onSelect(p.id)}
        >
          {p.title}
        </button>
      ))}
    </div>
  );
}
