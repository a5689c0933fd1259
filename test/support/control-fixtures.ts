import { NATIVE_FORMAT } from '../../src/main/rfb/pixel-format.js';
import type { ClientInfo, ServerState } from '../../src/shared/control-contract.js';

/** A running server's state as the control API reports it, with `over` applied. */
export function serverState(over: Partial<ServerState> = {}): ServerState {
  return {
    running: true,
    address: { host: '0.0.0.0', port: 5900 },
    websocket: null,
    websocketSecure: false,
    source: 'synthetic',
    desktop: { name: 'test', width: 640, height: 480 },
    backend: null,
    recording: null,
    clients: 0,
    passwordSet: true,
    identity: null,
    securityWarnings: [],
    viewOnlyPasswordSet: false,
    restartRequired: [],
    metrics: false,
    ...over,
  };
}

/** A connected client as listClients reports it (32 bpp RGB888, nothing sent yet). */
export function clientInfo(id: string, address: string, viewOnly = false): ClientInfo {
  return {
    id,
    address,
    connectedAt: 0,
    encodings: [],
    encodingsInUse: [],
    encodingUsage: [],
    pixelFormat: { ...NATIVE_FORMAT, summary: '32 bpp' },
    fps: null,
    bandwidth: null,
    bytesSent: 0,
    bytesReceived: 0,
    updatesSent: 0,
    viewOnly,
    shared: true,
    security: 'vnc',
    transport: 'tcp',
    user: null,
    link: null,
  };
}
