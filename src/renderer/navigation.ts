/** The pages, as tabs, and their place in the URL hash (`#metrics`). */
export const PAGES = [
  { id: 'clients', title: 'Clients' },
  { id: 'metrics', title: 'Metrics' },
  { id: 'recordings', title: 'Recordings' },
  { id: 'settings', title: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export const DEFAULT_PAGE: PageId = 'clients';

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').toLowerCase();
  return PAGES.find((p) => p.id === id)?.id ?? DEFAULT_PAGE;
}

/** The tab a key press moves to (arrow keys wrap; Home and End jump), or null for other keys. */
export function tabAfterKey(current: PageId, key: string): PageId | null {
  const i = PAGES.findIndex((p) => p.id === current);
  const n = PAGES.length;
  switch (key) {
    case 'ArrowRight':
      return PAGES[(i + 1) % n].id;
    case 'ArrowLeft':
      return PAGES[(i - 1 + n) % n].id;
    case 'Home':
      return PAGES[0].id;
    case 'End':
      return PAGES[n - 1].id;
    default:
      return null;
  }
}
