import { useEffect, useState } from 'react';
import { connectControl, type ConnectionState } from '../api/connect.js';

/** The control connection for the app's lifetime; `client` changes on every reconnect. */
export function useConnection(): ConnectionState {
  const [state, setState] = useState<ConnectionState>({ phase: 'connecting', client: null });
  useEffect(() => connectControl(setState), []);
  return state;
}
