import type { CreatedInvitation, CreateInvitationParams, InvitationInfo, OutgoingInfo } from './invitation-contract.js';
import type { PixelFormat } from './pixel-format.js';
import type { RecordingDetails, RecordingImportChunk, RecordingImportResult, RecordingListItem, RecordingSegment, RecordingStatusInfo } from './recording-contract.js';
import type { FieldErrors, SettingKey, Settings, SettingsInput } from './settings-schema.js';
import type { MetricsSnapshot } from './metrics-contract.js';
import type { ApprovalAnswer, ApprovalEvent, PendingApproval, SecurityWarning, ServerIdentity } from './security-contract.js';
import type { DesktopBackendInfo } from './desktop-contract.js';

// The parts of the contract kept in their own files, for everyone who imports the contract from here.
export type { ClientMetrics, MetricsFigures, MetricsSnapshot, OverallMetrics } from './metrics-contract.js';
export type { CaptureFidelityInfo, DesktopBackendInfo } from './desktop-contract.js';
export { APPROVAL_ANSWERS, type ApprovalAnswer, type ApprovalEvent, type PendingApproval, type SecurityWarning, type ServerIdentity } from './security-contract.js';

/**
 * The control API: the one contract between the server and any UI (the tray
 * app's renderer over Electron IPC, the headless dashboard over WebSocket).
 *
 * - `CONTROL_METHODS` is the method list. Both transports bind exactly these
 *   names, the client object is generated from them, and a call to any other
 *   name is refused.
 * - `ControlMethodMap` gives each method its params and result type.
 * - `CONTROL_EVENTS` / `ControlEventMap` are what the server pushes to a peer
 *   that subscribed (`subscribe({ event })`).
 * - `CONTROL_PARAMS` (control-params.ts) validates params where requests
 *   arrive (the renderer and the network are not trusted).
 *
 * Adding a method (recording controls and the player come next) is: one name
 * in the list, one entry in the map, one params schema, one handler in the
 * service. The compiler refuses the change until all four are there.
 *
 * This module is loaded by the renderer and bundled into the preload: plain
 * data and types only (the zod schemas live in control-params.ts).
 */

// ---------------------------------------------------------------------------
// Data types

/** A listening address. */
export interface Endpoint {
  host: string;
  port: number;
}

/** The server as a whole. */
export interface ServerState {
  /** Whether the VNC listener is up. */
  running: boolean;
  /** The VNC (TCP) listener, when running. */
  address: Endpoint | null;
  /** The WebSocket listener for browser viewers, when configured. */
  websocket: Endpoint | null;
  /** Whether that listener serves wss:// (TLS). */
  websocketSecure: boolean;
  /** Where pixels come from: 'x11', 'synthetic', … */
  source: string;
  desktop: { name: string; width: number; height: number };
  /** Recording now, and how recordings are made; null while not sharing. */
  recording: RecordingStatusInfo | null;
  /** The desktop backend and why it was chosen; null while not sharing, or when the embedder did not say. */
  backend: DesktopBackendInfo | null;
  /**
   * Whether this server can share the system's screen capture (source
   * 'system-capture'): the tray app can, the command line cannot (it would
   * not start with that source). Absent: not said.
   */
  systemCapture?: boolean;
  /** Connected clients (past the handshake). */
  clients: number;
  /** Whether viewers must give a password (the full one or the view-only one). */
  passwordSet: boolean;
  /** The fingerprints viewers are shown; null while not sharing. */
  identity: ServerIdentity | null;
  /** What makes the server unsafe to reach as it runs (no authentication, no encryption beyond this computer); empty when nothing does. */
  securityWarnings: SecurityWarning[];
  /** Whether a view-only password is in force (viewers who give it can watch but not control). */
  viewOnlyPasswordSet: boolean;
  /** Settings changed since start that take effect only after a restart. */
  restartRequired: SettingKey[];
  /** Whether `metrics` events are available. */
  metrics: boolean;
}

/**
 * Settings as a UI sees them: everything but the passwords, which are
 * write-only (send `password` or `view_only_password` in updateSettings;
 * read `password_set` and `view_only_password_set`).
 */
export type SettingsView = Omit<Settings, 'password' | 'view_only_password'> & { password_set: boolean; view_only_password_set: boolean };

/** A change to some settings: a value sets it, null returns it to its default (or none). */
export type SettingsPatch = { [K in SettingKey]?: SettingsInput[K] | null };

export interface UpdateSettingsResult {
  /** The settings now in force (or saved for the next start). */
  settings: SettingsView;
  /** Fields of this change applied to the running server. */
  applied: SettingKey[];
  /** Every field changed since start that takes effect only after a restart (this change and earlier ones). */
  restartRequired: SettingKey[];
  /** Whether the settings are kept for the next start (false: they last until the server stops). Absent: not said. */
  saved?: boolean;
  /** Where they were written, when the server keeps them in a file it can name. */
  savedTo?: string;
}

/** An RFB pixel format (RFC 6143 §7.4) as a client asked for it. */
export interface PixelFormatInfo extends PixelFormat {
  /** Short human form, e.g. "32 bpp, depth 24, RGB888 little-endian". */
  summary: string;
}

/** How much of one encoding a client has been sent. */
export interface EncodingUse {
  /** Its name: 'ZRLE', 'CopyRect', … */
  encoding: string;
  rectangles: number;
  /** Bytes on the wire, rectangle headers included. */
  bytes: number;
}

export interface ClientInfo {
  id: string;
  /** host:port of the viewer. */
  address: string;
  /** Epoch milliseconds. */
  connectedAt: number;
  /** The encodings the client offered, in its order of preference (names; pseudo-encodings included). */
  encodings: string[];
  /** The encodings it has been sent since it connected, most bytes first (the names of `encodingUsage`). */
  encodingsInUse: string[];
  /** Per encoding: rectangles and bytes (headers included) sent to it since it connected, most bytes first. */
  encodingUsage: EncodingUse[];
  pixelFormat: PixelFormatInfo;
  /** Updates per second over the monitor's window; null without a performance monitor. */
  fps: number | null;
  /** Bytes per second sent to it over the monitor's window; null without a performance monitor. */
  bandwidth: number | null;
  bytesSent: number;
  bytesReceived: number;
  updatesSent: number;
  /** A view-only client's input and clipboard are dropped. */
  viewOnly: boolean;
  /** Whether it asked to share the desktop with other clients. */
  shared: boolean;
  /** How it got in: the security type's name (vencrypt, ra2ne, vnc, none…), and how it came (tcp, websocket, websocket-tls). */
  security: string | null;
  transport: string;
  /** The user it logged in as, for the security types with user names. */
  user: string | null;
  /** Its link as the server measures it, for a viewer that takes fences while pacing is on; null otherwise. */
  link: ClientLinkInfo | null;
}

/**
 * One viewer's link, measured with fences: updates wait while more than
 * `windowBytes` are on their way, and its JPEG quality is lowered while the
 * link cannot carry what it asked for. Figures are null until it answered.
 */
export interface ClientLinkInfo {
  /** The last round trip and the least of late (the link's own latency), in milliseconds. */
  rttMs: number | null;
  baseRttMs: number | null;
  /** Bytes per second it has taken, at best, of late. */
  bandwidth: number | null;
  windowBytes: number | null;
  /** Bytes sent that it has not yet confirmed. */
  inFlightBytes: number;
  /** The JPEG quality it asked for and the one used now, as a level (0–9) or a fine quality (0–100); null without JPEG. */
  jpegQuality: { scale: 'level' | 'fine'; asked: number; used: number } | null;
}

/** One monitor (RandR output) of the desktop. */
export interface MonitorInfo {
  index: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
  /** Whether this monitor is inside the area being shared. */
  shared: boolean;
}

// ---------------------------------------------------------------------------
// The method list

export const CONTROL_METHODS = [
  'getState',
  'getSettings',
  'updateSettings',
  'listClients',
  'disconnectClient',
  'setClientControl',
  'listMonitors',
  'subscribe',
  'unsubscribe',
  'getRecordingStatus',
  'startRecording',
  'stopRecording',
  'listRecordings',
  'getRecordingInfo',
  'readRecordingSegment',
  'deleteRecording',
  'importRecording',
  'listApprovals',
  'answerApproval',
  'createInvitation',
  'listInvitations',
  'revokeInvitation',
  'connectToViewer',
  'listReverseConnections',
] as const;

export type ControlMethod = (typeof CONTROL_METHODS)[number];

/** Methods handled per connection by the transport layer rather than by the API's user. */
export const SUBSCRIPTION_METHODS = ['subscribe', 'unsubscribe'] as const satisfies readonly ControlMethod[];

export const CONTROL_EVENTS = ['metrics', 'clients', 'settings', 'recording', 'approval', 'reverse'] as const;
export type ControlEventName = (typeof CONTROL_EVENTS)[number];

export interface ControlEventMap {
  /** Every second or so while subscribed. */
  metrics: MetricsSnapshot;
  /** When a client connects, leaves, or gets or loses control. */
  clients: ClientInfo[];
  /** After every successful updateSettings (from any peer). */
  settings: UpdateSettingsResult;
  /** When a recording starts, stops or fails. */
  recording: RecordingStatusInfo;
  /** When a viewer starts waiting for an accept prompt's answer, and when its wait ends. */
  approval: ApprovalEvent;
  /** When a call out to a listening viewer changes state. */
  reverse: OutgoingInfo;
}

export interface ControlMethodMap {
  getState: { params: void; result: ServerState };
  getSettings: { params: void; result: SettingsView };
  /** Validated by the settings schema; a bad field fails the whole change (ControlError with fieldErrors). */
  updateSettings: { params: SettingsPatch; result: UpdateSettingsResult };
  listClients: { params: void; result: ClientInfo[] };
  /** Fails with code 'not-found' when there is no such client. */
  disconnectClient: { params: { id: string }; result: { disconnected: true } };
  /** control: false makes the client view-only. Fails with 'not-found' when there is no such client. */
  setClientControl: { params: { id: string; control: boolean }; result: ClientInfo };
  listMonitors: { params: void; result: MonitorInfo[] };
  /** Start receiving an event on this connection (idempotent). */
  subscribe: { params: { event: ControlEventName }; result: { subscribed: ControlEventName[] } };
  unsubscribe: { params: { event: ControlEventName }; result: { subscribed: ControlEventName[] } };
  getRecordingStatus: { params: void; result: RecordingStatusInfo };
  /** Start recording now (a no-op while one runs); fails when the folder cannot be written. */
  startRecording: { params: void; result: RecordingStatusInfo };
  stopRecording: { params: void; result: RecordingStatusInfo };
  /** The recordings folder, newest first. */
  listRecordings: { params: void; result: RecordingListItem[] };
  /** One recording's summary, timeline and keyframe times. Fails with 'not-found' for no such name. */
  getRecordingInfo: { params: { name: string }; result: RecordingDetails };
  /**
   * Segment `index` of a recording: its keyframe and the updates up to the
   * next one; with `keyframeOnly`, the keyframe alone (a seek-bar thumbnail).
   */
  readRecordingSegment: { params: { name: string; index: number; keyframeOnly?: boolean }; result: RecordingSegment };
  /** Delete a recording (not the one being written). */
  deleteRecording: { params: { name: string }; result: { deleted: true } };
  /**
   * Upload a recording file into the recordings folder, one chunk per call,
   * in order (recording-contract.ts: RecordingImportChunk). The last chunk's
   * result names the file as listed; a file that is not a recording is
   * refused and removed.
   */
  importRecording: { params: RecordingImportChunk; result: RecordingImportResult };
  /** Viewers waiting for a person to let them in (accept_prompt), oldest first. */
  listApprovals: { params: void; result: PendingApproval[] };
  /** Answer a waiting viewer. Fails with 'not-found' when it no longer waits (answered, timed out, gone). */
  answerApproval: { params: { id: string; answer: ApprovalAnswer }; result: { answered: ApprovalAnswer } };
  /** A link to the browser viewer that lets one browser in without the password, for a while (shown only here). */
  createInvitation: { params: CreateInvitationParams; result: CreatedInvitation };
  /** Every invitation kept, newest first, without secrets. */
  listInvitations: { params: void; result: InvitationInfo[] };
  /** Withdraw an invitation. Fails with 'not-found' for no such id. */
  revokeInvitation: { params: { id: string }; result: { revoked: true } };
  /** Call out to a viewer in listen mode (host[:port], port 5500 by default); its state follows in the 'reverse' event. */
  connectToViewer: { params: { target: string }; result: OutgoingInfo };
  /** Every call out since the start, oldest first. */
  listReverseConnections: { params: void; result: OutgoingInfo[] };
}

export type ControlParams<M extends ControlMethod> = ControlMethodMap[M]['params'];
export type ControlResult<M extends ControlMethod> = ControlMethodMap[M]['result'];
/** A method's argument list: none for `void` params. */
export type ControlArgs<M extends ControlMethod> = [ControlParams<M>] extends [void] ? [] : [params: ControlParams<M>];

/** The API as a UI calls it: one async function per method. */
export type ControlApi = { [M in ControlMethod]: (...args: ControlArgs<M>) => Promise<ControlResult<M>> };

// The list and the map must name the same methods (a compile error here means one of them was missed).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodsMatchMap: Same<ControlMethod, keyof ControlMethodMap> = true;
const eventsMatchMap: Same<ControlEventName, keyof ControlEventMap> = true;
void methodsMatchMap;
void eventsMatchMap;

// ---------------------------------------------------------------------------
// Errors

export type ControlErrorCode =
  /** Not a well-formed request. */
  | 'bad-request'
  /** The method is not in CONTROL_METHODS. */
  | 'unknown-method'
  /** Params do not match the method. */
  | 'invalid-params'
  /** updateSettings refused: see fieldErrors. */
  | 'invalid-settings'
  /** No such client (or, later, recording). */
  | 'not-found'
  /** The server could not do it. */
  | 'failed'
  /** The connection is not allowed (bad token, unknown IPC sender). */
  | 'unauthorized'
  /** The transport went away or timed out. */
  | 'unavailable';

/** An error as it travels: plain data (no class survives JSON or contextBridge). */
export interface ControlErrorData {
  message: string;
  code: ControlErrorCode;
  /**
   * updateSettings: messages per offending field, without the field's name
   * ("must be a whole number from 1 to 60"): a UI puts its label in front,
   * a script its key (`message` already reads "frame_rate must be …").
   */
  fieldErrors?: FieldErrors;
}

/** A failed call, on either side of a transport. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    message: string,
    readonly code: ControlErrorCode = 'failed',
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
  }

  toData(): ControlErrorData {
    return this.fieldErrors ? { message: this.message, code: this.code, fieldErrors: this.fieldErrors } : { message: this.message, code: this.code };
  }

  static fromData(d: ControlErrorData): ControlError {
    return new ControlError(d.message, d.code, d.fieldErrors);
  }
}

/** A call's outcome as data: what transports carry (errors included, so field errors survive). */
export type ControlReply<R = unknown> = { result: R } | { error: ControlErrorData };

// ---------------------------------------------------------------------------
// Wire formats

/** WebSocket: a call. `id` is echoed in the reply. */
export interface WireRequest {
  id: string | number;
  method: string;
  params?: unknown;
}

/** WebSocket: a reply (`id` is null when the request had none we could read). */
export type WireResponse = ({ id: string | number | null } & { result: unknown }) | ({ id: string | number | null } & { error: ControlErrorData });

/** WebSocket and IPC: a pushed event. */
export interface WireEvent<E extends ControlEventName = ControlEventName> {
  event: E;
  payload: ControlEventMap[E];
}

/** Electron IPC: the invoke channel of a method. */
export function ipcChannel(method: ControlMethod): string {
  return `trayvnc:${method}`;
}

/** Electron IPC: the channel events are sent on (payload: WireEvent). */
export const IPC_EVENT_CHANNEL = 'trayvnc:event';

/** Name of the object the preload puts on `window`. */
export const BRIDGE_NAME = 'trayvnc';

/**
 * What the preload exposes as `window.trayvnc`: one function per method, each
 * resolving to a ControlReply (errors as data: contextBridge drops an Error's
 * own properties, and field errors must reach the form), plus event delivery.
 * `createControlClient(ipcTransport(window.trayvnc))` turns it into the typed API.
 */
export type ControlBridge = { [M in ControlMethod]: (params?: unknown) => Promise<ControlReply<ControlResult<M>>> } & {
  /** Every event this window is subscribed to; returns a function that stops delivery. */
  onEvent(listener: (message: WireEvent) => void): () => void;
};

export function isControlMethod(name: unknown): name is ControlMethod {
  return typeof name === 'string' && (CONTROL_METHODS as readonly string[]).includes(name);
}

export function isControlEvent(name: unknown): name is ControlEventName {
  return typeof name === 'string' && (CONTROL_EVENTS as readonly string[]).includes(name);
}

export type { CreatedInvitation, CreateInvitationParams, InvitationInfo, InvitationState, OutgoingInfo, OutgoingState } from './invitation-contract.js';
