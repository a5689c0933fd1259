import type { ServerIdentity } from '../../shared/control-contract.js';
import type { ControlTarget } from './control-service.js';

/**
 * The fingerprints viewers are shown now, for what is offered only: a
 * server without a password offers no TLS or RSA-AES, and showing their
 * fingerprints would suggest otherwise. Null when the target keeps no keys.
 */
export function identityOf(t: Pick<ControlTarget, 'server' | 'security' | 'websocket'>): ServerIdentity | null {
  if (!t.security) return null;
  const offered = new Set([...t.server.offeredSecurityTypes('tcp'), ...t.server.offeredSecurityTypes('websocket')].map((x) => x.name));
  const tls = t.security.tls && (offered.has('vencrypt') || t.websocket?.secure === true) ? t.security.tls : null;
  const rsa = t.security.rsa && [...offered].some((n) => n.startsWith('ra2')) ? t.security.rsa : null;
  return { tlsFingerprint: tls?.fingerprint ?? null, rsaFingerprint: rsa?.fingerprint ?? null, rsaSha256: rsa?.sha256 ?? null };
}
