import { useCallback, useEffect, useState } from 'react';
import { pageFromHash, type PageId } from '../navigation.js';

/** The page named in the URL hash; choosing one updates the hash (the query, with its token, stays). */
export function usePage(): [PageId, (page: PageId) => void] {
  const [page, setPageState] = useState<PageId>(() => pageFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setPageState(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const setPage = useCallback((next: PageId) => {
    setPageState(next);
    if (window.location.hash !== `#${next}`) window.location.hash = next;
  }, []);
  return [page, setPage];
}
