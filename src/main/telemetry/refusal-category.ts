/**
 * Refusals by kind: the server says why it refused a connection in free
 * text; metrics count it under one of a few fixed labels.
 */

/** Why handshakes were refused, in a few fixed categories (the label values of trayvnc_connections_refused_total). */
export const REFUSAL_CATEGORIES = [
  'auth_failed',
  'blacklisted',
  'rate_limited',
  'too_many_pending',
  'too_many_connections',
  'handshake_timeout',
  'protocol_error',
  'connection_error',
  'other',
] as const;
export type RefusalCategory = (typeof REFUSAL_CATEGORIES)[number];

/** Map a refusal reason (free text from the server) to its category. */
export function refusalCategory(reason: string): RefusalCategory {
  if (/authentication failed/i.test(reason)) return 'auth_failed';
  if (/too many security failures/i.test(reason)) return 'blacklisted';
  if (/too many new connections/i.test(reason)) return 'rate_limited';
  if (/still in their handshake/i.test(reason)) return 'too_many_pending';
  if (/too many connections/i.test(reason)) return 'too_many_connections';
  if (/handshake not completed|timed out/i.test(reason)) return 'handshake_timeout';
  if (/^socket error/i.test(reason)) return 'connection_error';
  if (/protocol|security type|unsupported|invalid|unknown message|not offered/i.test(reason)) return 'protocol_error';
  return 'other';
}
