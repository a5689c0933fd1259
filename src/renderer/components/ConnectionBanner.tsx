import type { ReactNode } from 'react';
import type { ConnectionState } from '../api/connect.js';

/** What is wrong with the connection to TrayVNC, if anything. */
export function ConnectionBanner({ phase, hasToken }: { phase: ConnectionState['phase']; hasToken: boolean }) {
  let message: string | null = null;
  let detail: ReactNode = null;
  switch (phase) {
    case 'unauthorized':
      message = hasToken ? 'This dashboard address has the wrong access token.' : 'This dashboard address is missing its access token.';
      detail = (
        <>
          Open the address TrayVNC printed when it started, including its <code>?token=…</code> part. To choose the token yourself, set{' '}
          <code>TRAYVNC_DASHBOARD_TOKEN</code> before starting it.
        </>
      );
      break;
    case 'lost':
      message = 'Connection lost — reconnecting…';
      break;
    case 'unreachable':
      message = 'Cannot reach TrayVNC — retrying…';
      detail = 'Check that it is running and that this is the address it printed.';
      break;
    default:
      break;
  }
  if (!message) return null;
  return (
    <div role="alert" className={`banner banner-${phase}`}>
      <strong>{message}</strong>
      {detail ? <span className="banner-detail"> {detail}</span> : null}
    </div>
  );
}
