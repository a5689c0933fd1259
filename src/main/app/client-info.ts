import type { ClientInfo, EncodingUse } from '../../shared/control-contract.js';
import { encodingName } from '../rfb/constants.js';
import type { Session } from '../rfb/session.js';
import { describePixelFormat } from './pixel-format-info.js';

/** One connected viewer as the control API lists it. */
export function describeClient(s: Session, perf: { fps: number; bandwidth: number } | undefined, usage: EncodingUse[]): ClientInfo {
  return {
    id: s.id,
    address: s.address,
    connectedAt: s.connectedAt.getTime(),
    encodings: s.clientEncodings.map(encodingName),
    encodingsInUse: usage.map((u) => u.encoding),
    encodingUsage: usage,
    pixelFormat: describePixelFormat(s.pixelFormat),
    fps: perf ? perf.fps : null,
    bandwidth: perf ? perf.bandwidth : null,
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
    updatesSent: s.updatesSent,
    viewOnly: s.viewOnly,
    shared: s.shared,
    security: s.securityType,
    transport: s.transport,
    user: s.user,
    link: s.pacing,
  };
}
