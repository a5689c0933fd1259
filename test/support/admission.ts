import type { AdmissionOptions } from '../../src/main/rfb/admission/gatekeeper.js';

/**
 * Admission limits out of the way, for tests that open many connections from
 * one address on purpose (fuzzing, wrong passwords in a row) and are about
 * something else. The tests of the limits themselves use the defaults.
 */
export const OPEN_ADMISSION: AdmissionOptions = {
  blacklist: { threshold: 1_000_000, initialBlockMs: 10_000, maxBlockMs: 10_000, maxEntries: 1000 },
  pending: { perAddress: 10_000, total: 10_000 },
  addressRate: { perSecond: 1_000_000, burst: 1_000_000 },
  totalRate: { perSecond: 1_000_000, burst: 1_000_000 },
};
