import { SecurityType as Ids } from '../constants.js';
import type { SecurityType } from './security-type.js';

/** Security None (RFC 6143 §7.2.1): no exchange; every client gets full access. */
export const noneSecurity: SecurityType = {
  id: Ids.None,
  name: 'none',
  encrypts: false,
  usable: () => true,
  authenticate: async () => ({ ok: true, access: 'full' }),
};
