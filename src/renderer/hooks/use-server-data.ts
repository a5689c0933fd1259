import { useEffect, useRef, useState } from 'react';
import { ControlError, type ClientInfo, type ServerState } from '../../shared/control-contract.js';
import type { ControlClient } from '../api/control-client.js';
import { MetricsHistory } from '../metrics/metrics-history.js';

/** How often the server's state is re-read without an event (it rarely changes unprompted). */
const STATE_REFRESH_MS = 5000;
/** Per-client fps and bandwidth change all the time; the Clients page re-reads them this often. */
const CLIENTS_REFRESH_MS = 1000;

const logUnlessGone = (e: unknown) => {
  // Calls fail while the connection is down; the connection banner says so.
  if (e instanceof ControlError && (e.code === 'unavailable' || e.code === 'unauthorized')) return;
  console.error(e);
};

/** The server's state: read on connect, on every clients or settings event, and now and then. */
export function useServerState(client: ControlClient | null): ServerState | null {
  const [state, setState] = useState<ServerState | null>(null);
  useEffect(() => {
    if (!client) return;
    let live = true;
    const refresh = () =>
      client.getState().then((s) => {
        if (live) setState(s);
      }, logUnlessGone);
    void refresh();
    const offClients = client.on('clients', () => void refresh());
    const offSettings = client.on('settings', () => void refresh());
    const timer = setInterval(() => void refresh(), STATE_REFRESH_MS);
    return () => {
      live = false;
      offClients();
      offSettings();
      clearInterval(timer);
    };
  }, [client]);
  return state;
}

/**
 * The connected clients. The `clients` event brings arrivals and departures
 * at once; while `polling` (the Clients page is shown) the list is also
 * re-read every second for the live figures.
 */
export function useClients(client: ControlClient | null, polling: boolean): [ClientInfo[] | null, (update: (list: ClientInfo[]) => ClientInfo[]) => void] {
  const [clients, setClients] = useState<ClientInfo[] | null>(null);
  // Bumped by every event: a poll answered after an event may be older than it, and is dropped.
  const eventCount = useRef(0);

  useEffect(() => {
    if (!client) return;
    let live = true;
    const off = client.on('clients', (list) => {
      eventCount.current++;
      setClients(list);
    });
    const seen = eventCount.current;
    client.listClients().then((list) => {
      if (live && eventCount.current === seen) setClients(list);
    }, logUnlessGone);
    return () => {
      live = false;
      off();
    };
  }, [client]);

  useEffect(() => {
    if (!client || !polling) return;
    let live = true;
    let latestAsked = 0;
    let latestApplied = 0;
    const poll = () => {
      const seq = ++latestAsked;
      const seen = eventCount.current;
      client.listClients().then((list) => {
        if (!live || seq < latestApplied || eventCount.current !== seen) return;
        latestApplied = seq;
        setClients(list);
      }, logUnlessGone);
    };
    poll();
    const timer = setInterval(poll, CLIENTS_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, polling]);

  const update = (fn: (list: ClientInfo[]) => ClientInfo[]) => setClients((list) => (list ? fn(list) : list));
  return [clients, update];
}

/** Metrics from the moment the app connects, whichever page is shown. */
export function useMetricsHistory(client: ControlClient | null): MetricsHistory {
  const [history] = useState(() => new MetricsHistory());
  useEffect(() => {
    if (!client) return;
    return client.on('metrics', (snapshot) => history.add(snapshot));
  }, [client, history]);
  return history;
}
