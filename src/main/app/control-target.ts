import type { AddressInfo } from 'node:net';
import type { SecurityWarning } from '../../shared/control-contract.js';
import type { BackendChoice } from '../desktop/backend-choice.js';
import type { ScreenSource } from '../desktop/screen.js';
import type { RfbServer } from '../rfb/server.js';
import type { AttendedAccess, AttendedSettings } from './attended-access.js';
import type { Invitations } from './invitations.js';
import type { RecordingController } from './recording-controller.js';
import type { ReverseConnections } from './reverse-connections.js';

/**
 * What the control API needs of the running application. `VncService` is one;
 * tests may hand in anything of this shape.
 */
export interface ControlTarget {
  readonly server: RfbServer;
  /** The settings the service was started with. */
  readonly config: Readonly<Record<string, unknown>> & { readonly display?: string | undefined };
  readonly source: ScreenSource;
  readonly listening: AddressInfo | null;
  readonly password: string | null;
  /** The view-only password in force (VncService has it; absent: none). */
  readonly viewOnlyPassword?: string | null;
  readonly websocket: { readonly address: AddressInfo; readonly secure?: boolean } | null;
  /** The desktop backend chosen at start, and why (VncService has it; none while not sharing). */
  readonly backend?: BackendChoice | null;
  /** Switch tile comparison on or off while running; without it the change waits for a restart. */
  setRegionDetection?(on: boolean): void;
  /** Recordings of the shared desktop (VncService has them; none while not sharing). */
  readonly recordings?: RecordingController | null;
  /** The certificate and key viewers are shown (VncService has them). */
  readonly security?: { readonly tls: { readonly fingerprint: string } | null; readonly rsa: { readonly fingerprint: string; readonly sha256: string } | null };
  /** How safe the server is to reach, found at start: no authentication, no encryption beyond loopback (VncService has them). */
  readonly securityWarnings?: readonly SecurityWarning[];
  /** Attended access (VncService has it; none while not sharing): the prompts waiting for an answer. */
  readonly attended?: AttendedAccess | null;
  /** Invitation links to the browser viewer (VncService has them while sharing). */
  readonly invitations?: Invitations | null;
  /** Calls out to listening viewers (VncService has them while sharing). */
  readonly reverse?: ReverseConnections | null;
  /** Take new attended-access settings for the next viewer; without it the change waits for a restart. */
  useAttendedSettings?(settings: AttendedSettings): void;
}
