import { dirname } from 'node:path';
import type { Settings } from '../../shared/settings-schema.js';
import type { SecurityKeys } from '../rfb/security/security-type.js';
import { userConfigPath } from './config-file.js';
import { ConfigError } from './config.js';
import { RsaKeyStore, type RsaServerKey } from './rsa-key.js';
import { loadTlsCertificate, type TlsCertificate } from './tls-certificate.js';
import { UserStore, usersFilePath } from './user-store.js';

/** What the security types of a running server need, made ready at start. */
export interface SecuritySetup {
  keys: SecurityKeys;
  users: UserStore;
  /** The TLS certificate, when a type that uses one may be offered or wss:// is served. */
  tls: TlsCertificate | null;
  /** The RSA key, when RSA-AES may be offered. */
  rsa: RsaServerKey | null;
}

/** The folder the server's generated certificate and RSA key are kept in: beside the user's config.json. */
export function keysDir(env: NodeJS.ProcessEnv = process.env): string {
  return dirname(userConfigPath(env));
}

const RSA_TYPES = new Set(['ra2', 'ra2_256', 'ra2ne', 'ra2ne_256']);

/**
 * Load (or make, on first use) what the offered security types need: the
 * users, the TLS certificate for VeNCrypt, the RSA key for RSA-AES. Done at
 * start, not at the first viewer, so a damaged file stops the start with a
 * message naming it, and the fingerprints can be shown right away.
 */
export async function prepareSecurity(settings: Settings, dir: string = keysDir()): Promise<SecuritySetup> {
  const named = settings.security_types;
  const wants = (name: string) => named === undefined || named.includes(name as never);
  if ((settings.tls_cert_file === undefined) !== (settings.tls_key_file === undefined)) {
    throw new ConfigError(['tls_cert_file and tls_key_file (--tls-cert, --tls-key) go together: give both, or neither for a certificate made and kept here']);
  }
  try {
    const users = await UserStore.open(settings.users_file ?? usersFilePath());
    const tls = wants('vencrypt') || settings.websocket_tls || settings.dashboard_tls ? await loadTlsCertificate({ certFile: settings.tls_cert_file ?? null, keyFile: settings.tls_key_file ?? null, dir }) : null;
    const rsaStore = (named === undefined || named.some((n) => RSA_TYPES.has(n))) ? new RsaKeyStore(dir) : null;
    const rsa = rsaStore ? await rsaStore.get() : null;
    const keys: SecurityKeys = {
      tls: async () => {
        if (!tls) throw new Error('no TLS certificate: VeNCrypt is not among the security types');
        return { cert: tls.cert, key: tls.key };
      },
      // The store, not the key read at start: a key file fixed while running is read again.
      rsa: async () => {
        if (!rsaStore) throw new Error('no RSA key: RSA-AES is not among the security types');
        return rsaStore.privateKeyPem();
      },
    };
    return { keys, users, tls, rsa };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError([(e as Error).message]);
  }
}
