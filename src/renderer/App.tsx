import { Fragment, type ReactNode } from 'react';
import { ApprovalPrompts } from './components/ApprovalPrompts.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { panelId, tabId, Tabs } from './components/Tabs.js';
import { pageHasToken } from './api/socket-url.js';
import { useColorScheme } from './hooks/use-color-scheme.js';
import { useApprovals } from './hooks/use-approvals.js';
import { useConnection } from './hooks/use-connection.js';
import { usePage } from './hooks/use-page.js';
import { useClients, useMetricsHistory, useServerState } from './hooks/use-server-data.js';
import { PAGES, type PageId } from './navigation.js';
import { ClientsPage } from './pages/ClientsPage.js';
import { MetricsPage } from './pages/MetricsPage.js';
import { RecordingsPage } from './pages/RecordingsPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { desktopNotice, securityNotice, serverStatusText } from './server-summary.js';
import { systemCaptureAvailable } from './settings/source-choice.js';

export function App() {
  const connection = useConnection();
  const { client } = connection;
  const [page, setPage] = usePage();
  const theme = useColorScheme();
  const state = useServerState(client);
  const [clients, updateClients] = useClients(client, page === 'clients');
  const history = useMetricsHistory(client);
  const approvals = useApprovals(client);

  // The bridge is there only in the tray app's own window; without it, the page's own address must carry the token.
  const inTrayWindow = window.trayvnc !== undefined;
  const hasToken = inTrayWindow || pageHasToken(window.location.href);
  const statusText =
    connection.phase === 'open' ? serverStatusText(state, clients?.length) : connection.phase === 'connecting' ? 'Connecting…' : 'Not connected';
  const sharing = !!state?.running && connection.phase === 'open';
  const notice = connection.phase === 'open' ? desktopNotice(state) : null;
  const security = connection.phase === 'open' ? securityNotice(state) : null;

  const panels: Record<PageId, ReactNode> = {
    clients: <ClientsPage client={client} state={state} clients={clients} updateClients={updateClients} active={page === 'clients'} />,
    metrics: <MetricsPage history={history} available={state ? state.metrics : null} theme={theme} active={page === 'metrics'} />,
    recordings: <RecordingsPage client={client} active={page === 'recordings'} />,
    settings: <SettingsPage client={client} restartRequired={state?.restartRequired ?? []} systemCapture={systemCaptureAvailable(state, inTrayWindow)} />,
  };

  return (
    <div className="app">
      <header className="app-header">
        <div className="app-title">
          <h1>TrayVNC</h1>
          <p role="status" aria-label="Server status" className={`server-status${sharing ? ' sharing' : ''}`}>
            <span className="status-dot" aria-hidden="true" />
            {statusText}
            {[notice, security].map(
              (n, i) =>
                n && (
                  <Fragment key={i}>
                    {/* A space, so the status reads as separate phrases where text is taken whole (screen readers, tests). */}{' '}
                    <span className={`status-notice${n.warning ? ' warning' : ''}`} title={n.detail}>
                      {n.text}
                    </span>
                  </Fragment>
                ),
            )}
          </p>
        </div>
        <Tabs current={page} onSelect={setPage} />
      </header>
      <ConnectionBanner phase={connection.phase} hasToken={hasToken} />
      <ApprovalPrompts pending={approvals.pending} answer={approvals.answer} />
      <main className="app-main">
        {PAGES.map((p) => (
          <div key={p.id} role="tabpanel" id={panelId(p.id)} aria-labelledby={tabId(p.id)} hidden={p.id !== page} tabIndex={0} className="panel">
            {panels[p.id]}
          </div>
        ))}
      </main>
    </div>
  );
}
