import { useEffect, useState } from 'react';

const DARK = '(prefers-color-scheme: dark)';

/** The system's light or dark preference, live. */
export function useColorScheme(): 'light' | 'dark' {
  const [dark, setDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const mq = window.matchMedia(DARK);
    const onChange = () => setDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return dark ? 'dark' : 'light';
}
