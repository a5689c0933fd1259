import { useState } from 'react';
import type { ClientInfo, ServerState } from '../../shared/control-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { formatAgo, formatBytes, formatClock, formatEncodingUsage, formatPixelFormatShort, formatRate } from '../format.js';
import { useNow } from '../hooks/use-now.js';
import { ReachCard } from '../components/ReachCard.js';
import { clientSecurityText, connectAddresses, identityRows } from '../server-summary.js';
import { screenSummary } from '../screen-summary.js';

interface ClientsPageProps {
  client: ControlClient | null;
  state: ServerState | null;
  clients: ClientInfo[] | null;
  updateClients: (update: (list: ClientInfo[]) => ClientInfo[]) => void;
  active: boolean;
}

const COLUMNS = ['Address', 'Connected', 'Encodings', 'Pixel format', 'FPS', 'Bandwidth', 'Sent', 'Control', 'Actions'] as const;

/** What a column's figures mean, where the header alone does not say (shown as its tooltip). */
const COLUMN_HINTS: Partial<Record<(typeof COLUMNS)[number], string>> = {
  Encodings: 'Encodings sent to this viewer since it connected, most bytes first',
};

export function ClientsPage({ client, state, clients, updateClients, active }: ClientsPageProps) {
  const now = useNow(1000, active);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  // Control as just asked for, shown at once and kept over list refreshes until the server answers.
  const [pendingControl, setPendingControl] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [problem, setProblem] = useState<string | null>(null);

  const run = async (id: string, what: string, action: (c: ControlClient) => Promise<void>) => {
    if (!client) return;
    setBusy((b) => new Set(b).add(id));
    setProblem(null);
    try {
      await action(client);
    } catch (e) {
      setProblem(`Could not ${what}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy((b) => {
        const next = new Set(b);
        next.delete(id);
        return next;
      });
    }
  };

  const disconnect = (c: ClientInfo) =>
    run(c.id, `disconnect ${c.address}`, async (api) => {
      await api.disconnectClient({ id: c.id });
      updateClients((list) => list.filter((x) => x.id !== c.id));
    });

  const setControl = (c: ClientInfo, control: boolean) => {
    setPendingControl((m) => new Map(m).set(c.id, control));
    void run(c.id, `change control for ${c.address}`, async (api) => {
      try {
        const updated = await api.setClientControl({ id: c.id, control });
        updateClients((list) => list.map((x) => (x.id === updated.id ? updated : x)));
      } finally {
        setPendingControl((m) => {
          const next = new Map(m);
          next.delete(c.id);
          return next;
        });
      }
    });
  };

  const list = clients ?? [];
  return (
    <div className="page clients-page">
      <ConnectInfo state={state} />
      <div className="card table-card">
        <div className="table-scroll">
          <table className="clients-table">
            <caption>Connected clients</caption>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" className={NUMERIC.has(c) ? 'num' : undefined} title={COLUMN_HINTS[c]}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <ClientRow
                  key={c.id}
                  info={c}
                  control={pendingControl.get(c.id) ?? !c.viewOnly}
                  now={now}
                  busy={busy.has(c.id) || !client}
                  onDisconnect={(x) => void disconnect(x)}
                  onControl={setControl}
                />
              ))}
            </tbody>
          </table>
        </div>
        {clients !== null && list.length === 0 ? <p className="empty-state">No viewers are connected.</p> : null}
        {clients === null ? <p className="empty-state">Loading…</p> : null}
      </div>
      <p className="inline-problem" aria-live="polite">
        {problem}
      </p>
      {/* In the tray window too: invitations then need its web dashboard on (they say so), calling a viewer works as it is. */}
      <ReachCard client={client} active={active} />
    </div>
  );
}

const NUMERIC = new Set<string>(['FPS', 'Bandwidth', 'Sent']);

interface ClientRowProps {
  info: ClientInfo;
  /** Whether the viewer may use mouse and keyboard (as asked for, while the server is asked). */
  control: boolean;
  now: number;
  busy: boolean;
  onDisconnect: (c: ClientInfo) => void;
  onControl: (c: ClientInfo, control: boolean) => void;
}

function ClientRow({ info: c, control, now, busy, onDisconnect, onControl }: ClientRowProps) {
  const inUse = c.encodingsInUse.length > 0 ? c.encodingsInUse.join(', ') : '—';
  const usage = c.encodingUsage.length > 0 ? `Sent since connecting: ${formatEncodingUsage(c.encodingUsage)}.\n` : '';
  return (
    <tr>
      <td className="address">
        {c.address}
        <div className="muted client-security">{clientSecurityText(c)}</div>
      </td>
      <td>
        <time dateTime={new Date(c.connectedAt).toISOString()} title={`Connected at ${formatClock(c.connectedAt)}`}>
          {formatAgo(c.connectedAt, now)}
        </time>
      </td>
      <td title={`${usage}Offered: ${c.encodings.join(', ')}`}>
        {inUse}
      </td>
      <td className="pixel-format" title={c.pixelFormat.summary}>
        {formatPixelFormatShort(c.pixelFormat).map((part) => (
          <span key={part}>{part}</span>
        ))}
      </td>
      <td className="num">{c.fps === null ? '—' : c.fps.toFixed(1)}</td>
      <td className="num">{formatRate(c.bandwidth)}</td>
      <td className="num">{formatBytes(c.bytesSent)}</td>
      <td>
        <label className="check">
          <input
            type="checkbox"
            checked={control}
            disabled={busy}
            aria-label={`Allow control for ${c.address}`}
            onChange={(e) => onControl(c, e.currentTarget.checked)}
          />
          <span>Allow control</span>
        </label>
      </td>
      <td>
        <button type="button" className="button danger" disabled={busy} aria-label={`Disconnect ${c.address}`} onClick={() => onDisconnect(c)}>
          Disconnect
        </button>
      </td>
    </tr>
  );
}

function ConnectInfo({ state }: { state: ServerState | null }) {
  const addresses = connectAddresses(state, window.location.hostname);
  if (!state) return null;
  if (!state.running) {
    return (
      <div className="card connect-info">
        <p>TrayVNC is not sharing the screen right now.</p>
      </div>
    );
  }
  const screen = screenSummary(state);
  return (
    <div className="card connect-info">
      <dl>
        {screen ? (
          <div className="connect-row screen-row">
            <dt>Screen</dt>
            <dd title={screen.detail}>
              <span className={`screen-fidelity ${screen.tone}`}>{screen.text}</span>
              {screen.facts ? <small className="muted screen-facts">{screen.facts}</small> : null}
            </dd>
          </div>
        ) : null}
        {addresses.map((a) => (
          <div key={a.kind} className="connect-row">
            <dt>{a.kind}</dt>
            <dd>
              <code>{a.address}</code>
              {a.note ? <span className="muted"> ({a.note})</span> : null}
            </dd>
          </div>
        ))}
        {identityRows(state).map((r) => (
          <div key={r.kind} className="connect-row">
            <dt>{r.kind}</dt>
            <dd>
              <code className="fingerprint">{r.value}</code>
              <span className="muted"> ({r.note})</span>
            </dd>
          </div>
        ))}
      </dl>
      {/* The browser viewer lives on the dashboard's own server: only a page served over http(s) (not the tray app's window) can link to it. */}
      {window.location.protocol === 'http:' || window.location.protocol === 'https:' ? (
        <p>
          <a href="/viewer" target="_blank" rel="noreferrer">
            Open the browser viewer
          </a>
        </p>
      ) : null}
      <p className="muted">
        {state.viewOnlyPasswordSet
          ? 'Viewers must enter a password: with the view-only password they can watch but not control.'
          : state.passwordSet
            ? 'Viewers must enter the password.'
            : 'No password is set: anyone who can reach this address can see the screen.'}
      </p>
    </div>
  );
}
