import { useCallback, useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { CreatedInvitation, InvitationInfo, OutgoingInfo } from '../../shared/control-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { formatClock } from '../format.js';

interface ReachCardProps {
  client: ControlClient | null;
  /** Whether the page is shown (lists refresh only then). */
  active: boolean;
}

const VALID_FOR = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 24 * 60, label: '1 day' },
] as const;

const STATE_TEXT: Record<InvitationInfo['state'], string> = { open: 'open', used: 'used', expired: 'expired', revoked: 'revoked' };

/**
 * Reaching a viewer besides waiting for it: an invitation link (the browser
 * viewer, one use, for a while; copy it or show it as a QR code), and a call
 * out to a viewer in listen mode. The link is shown once, right after it is
 * made: the server keeps only its hash.
 */
export function ReachCard({ client, active }: ReachCardProps) {
  const [invitations, setInvitations] = useState<InvitationInfo[]>([]);
  const [outgoing, setOutgoing] = useState<OutgoingInfo[]>([]);
  const [made, setMade] = useState<CreatedInvitation | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [minutes, setMinutes] = useState<number>(60);
  const [viewOnly, setViewOnly] = useState(false);
  const [label, setLabel] = useState('');
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const refresh = useCallback(async () => {
    if (!client) return;
    try {
      const [inv, out] = await Promise.all([client.listInvitations(), client.listReverseConnections()]);
      setInvitations(inv);
      setOutgoing(out);
    } catch {
      // Not sharing (or the connection dropped): the lists stay as they were.
    }
  }, [client]);

  useEffect(() => {
    if (!active) return;
    void refresh();
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [active, refresh]);

  useEffect(() => {
    setQr(null);
    if (!made) return;
    let live = true;
    void QRCode.toDataURL(made.link, { margin: 1, width: 220 }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [made]);

  const act = async (what: string, action: (c: ControlClient) => Promise<void>) => {
    if (!client) return;
    setProblem(null);
    try {
      await action(client);
      await refresh();
    } catch (e) {
      setProblem(`Could not ${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const invite = () =>
    act('create the invitation', async (c) => {
      setCopied(false);
      setMade(await c.createInvitation({ validMinutes: minutes, viewOnly, ...(label.trim() ? { label: label.trim() } : {}) }));
    });

  const copy = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.link);
      setCopied(true);
    } catch {
      setProblem('Could not copy: select the link and copy it by hand.');
    }
  };

  return (
    <section className="card reach" aria-labelledby="reach-title">
      <h2 id="reach-title">Invite a viewer</h2>
      <p className="muted">A link to the browser viewer that lets one person in without the password, until it expires. Anyone with the link can use it: send it privately.</p>
      <form
        className="reach-form"
        onSubmit={(e) => {
          e.preventDefault();
          void invite();
        }}
      >
        <label>
          Name <input className="input" type="text" value={label} maxLength={100} placeholder="invited viewer" onChange={(e) => setLabel(e.target.value)} />
        </label>
        <label>
          Valid for{' '}
          <select className="input select" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {VALID_FOR.map((v) => (
              <option key={v.minutes} value={v.minutes}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={viewOnly} onChange={(e) => setViewOnly(e.target.checked)} /> View only
        </label>
        <button type="submit" className="button primary" disabled={!client}>
          Create link
        </button>
      </form>
      {made ? (
        <div className="reach-link" aria-live="polite">
          <label>
            Invitation link (shown once)
            <input className="input" type="text" readOnly value={made.link} onFocus={(e) => e.target.select()} />
          </label>
          <button type="button" className="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          {qr ? <img className="reach-qr" src={qr} width={220} height={220} alt="QR code of the invitation link" /> : null}
        </div>
      ) : null}
      {invitations.length > 0 ? (
        <table className="reach-list" aria-label="Invitations">
          <thead>
            <tr>
              <th>Name</th>
              <th>Access</th>
              <th>Until</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.label}</td>
                <td>{i.viewOnly ? 'view only' : 'full control'}</td>
                <td>{formatClock(i.expiresAt)}</td>
                <td>{STATE_TEXT[i.state] + (i.usedBy ? ` by ${i.usedBy}` : '')}</td>
                <td>
                  {i.state === 'open' ? (
                    <button type="button" className="button danger" aria-label={`Revoke the invitation for ${i.label}`} onClick={() => void act('revoke the invitation', async (c) => void (await c.revokeInvitation({ id: i.id })))}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2 id="reverse-title">Connect to a listening viewer</h2>
      <p className="muted">For a viewer behind a firewall: it waits in listen mode (such as <code>vncviewer -listen</code>) and this server calls it.</p>
      <form
        className="reach-form"
        aria-labelledby="reverse-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (target.trim()) void act('connect', async (c) => void (await c.connectToViewer({ target: target.trim() })));
        }}
      >
        <label>
          Viewer address <input className="input" type="text" value={target} placeholder="host or host:5500" onChange={(e) => setTarget(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={!client || !target.trim()}>
          Connect
        </button>
      </form>
      {outgoing.length > 0 ? (
        <ul className="reach-outgoing" aria-label="Calls to listening viewers">
          {outgoing.map((o) => (
            <li key={o.id}>
              {o.target}: {o.state}
              {o.reason ? ` — ${o.reason}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {problem ? (
        <p role="alert" className="reach-problem">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
