import { z } from 'zod';
import { isHostOrAddress } from './hosts.js';
import { canonicalSubtypeName, SECURITY_TYPE_NAMES, VENCRYPT_SUBTYPE_NAMES } from './security-names.js';
import { FRAME_RATE } from './frame-rate.js';
import { sameVncPassword } from './password.js';

/**
 * The settings schema: the configuration file's keys, their types, ranges,
 * defaults and what each field accepts. One schema serves the config file,
 * the command line (after flags are merged in), the control API's
 * updateSettings and the settings form in the renderer, so a value is refused
 * with the same words wherever it comes from.
 *
 * Messages leave out the field's name ("must be a whole number from 1 to
 * 60"): whoever shows one names the field, the command line by its key
 * ("frame_rate must be …", see fieldErrorLines) and a form by its label
 * ("Frame rate must be …").
 *
 * This module must stay loadable in a sandboxed renderer: zod only, no Node
 * modules.
 */

const intIn = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const bool = z.boolean({ error: 'must be true or false' });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

const level = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'must be one of debug, info, warn, error' }));

/** A listening address: an IP address or a host name (whether it resolves is found out when listening). */
const ADDRESS = 'must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or a host name';
const address = z.string({ error: ADDRESS }).refine(isHostOrAddress, { error: ADDRESS });

/** Why a view-only password equal to the full one (as VNC Authentication reads them) is refused. */
export const VIEW_ONLY_CLASH =
  'must differ from the password in its first 8 characters (VNC Authentication reads only 8, so it would give full control)';

/**
 * The configuration file. Keys keep PyVNCServer's names so its config.json
 * files load unchanged; the rest are ours. Every field is optional in the file.
 */
export const SettingsSchema = z.object({
  host: address.optional(),
  port: intIn(0, 65535).default(5900),
  websocket_port: intIn(0, 65535).optional(),
  /** Serve browser viewers over wss:// (TLS, with the server's certificate) instead of ws://. */
  websocket_tls: bool.default(false),
  /** Browsers (noVNC) on the VNC port itself: a new connection waits up to 0.1 s for an HTTP or TLS start before RFB. */
  websocket_on_vnc_port: bool.default(true),
  /**
   * Web pages (origins such as https://example.org) whose scripts may open a
   * WebSocket to this server; ["*"] for any. Unset: any when a password is
   * set, otherwise only pages from this computer (and the dashboard's own).
   */
  websocket_origins: z
    .array(
      z.string({ error: 'must be an origin such as https://example.org, or *' }).refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/i.test(o.replace(/\/+$/, '')), {
        error: 'must be an origin such as https://example.org, or *',
      }),
      { error: 'must be a list of origins such as https://example.org, or ["*"]' },
    )
    .optional(),
  /** The dashboard's page, control API and /websockify over HTTPS and wss:// with the server's TLS certificate. */
  dashboard_tls: bool.default(false),
  /** Announce the server on the LAN (mDNS/DNS-SD, _rfb._tcp): auto = when listening beyond this computer. */
  discovery: oneOf(['auto', 'on', 'off']).default('auto'),
  /** At start, call out to a viewer in listen mode (vncviewer -listen): host[:port], port 5500 by default. */
  connect: z
    .string({ error: 'must be host[:port]' })
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+)(:\d{1,5})?$/, { error: 'must be host[:port], such as 192.168.1.20 or viewer.example:5500' })
    .optional(),
  /** The headless dashboard: its web page and the control API over WebSocket; off when unset. */
  dashboard_port: intIn(0, 65535).optional(),
  /** Address the dashboard listens on (default 127.0.0.1, whatever `host` is). */
  dashboard_host: address.optional(),
  password: z
    .string({ error: 'must be text (or null for none)' })
    .min(1, { error: 'must not be empty (leave it out for no password)' })
    .max(256, { error: 'must be at most 256 characters' })
    .nullable()
    .optional(),
  password_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
  /** A second password that lets viewers watch but not control (VNC Authentication decides by which one matches). */
  view_only_password: z
    .string({ error: 'must be text (or null for none)' })
    .min(1, { error: 'must not be empty (leave it out for no view-only password)' })
    .max(256, { error: 'must be at most 256 characters' })
    .nullable()
    .optional(),
  view_only_password_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
  /**
   * The security types to offer, most preferred first (names in
   * shared/security-names.ts). Unset: every type the credentials allow, the
   * encrypted ones first and VNC Authentication last.
   */
  security_types: z
    .array(z.enum(SECURITY_TYPE_NAMES, { error: `must be one of ${SECURITY_TYPE_NAMES.join(', ')}` }), { error: `must be a list of ${SECURITY_TYPE_NAMES.join(', ')}` })
    .min(1, { error: 'must name at least one security type' })
    .refine((list) => new Set(list).size === list.length, { error: 'names a security type twice' })
    .optional(),
  /** VeNCrypt's subtypes to offer, most preferred first (TigerVNC's names, any case); unset: TLSPlain, TLSVnc, X509Plain, X509Vnc. */
  vencrypt_subtypes: z
    .array(
      z.preprocess((v) => (typeof v === 'string' ? canonicalSubtypeName(v) : v), z.enum(VENCRYPT_SUBTYPE_NAMES, { error: `must be one of ${VENCRYPT_SUBTYPE_NAMES.join(', ')}` })),
      { error: `must be a list of ${VENCRYPT_SUBTYPE_NAMES.join(', ')}` },
    )
    .min(1, { error: 'must name at least one subtype' })
    .refine((list) => new Set(list).size === list.length, { error: 'names a subtype twice' })
    .optional(),
  /** The TLS certificate (PEM) for VeNCrypt's X509 subtypes; unset: one is made on first use and kept beside the config. */
  tls_cert_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
  /** The certificate's private key (PEM); set together with tls_cert_file. */
  tls_key_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
  /** The users for logins with a user name (VeNCrypt Plain, RSA-AES); unset: users.json beside the config. `trayvnc user add` fills it. */
  users_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
  /** Listen beyond this computer with no password and no users: only when the user says so. */
  insecure_no_auth: bool.default(false),
  frame_rate: intIn(FRAME_RATE.min, FRAME_RATE.max).default(FRAME_RATE.default),
  max_connections: intIn(1, 1000).default(10),
  enable_region_detection: bool.default(true),
  enable_metrics: bool.default(false),
  log_level: level.default('info'),
  log_format: oneOf(['json', 'pretty']).optional(),
  always_shared: bool.default(false),
  desktop_name: z.string({ error: 'must be text' }).max(255, { error: 'must be at most 255 characters' }).optional(),
  display: z.string({ error: 'must look like :0 or host:0' }).regex(/^[\w.-]*:\d+(\.\d+)?$/, { error: 'must look like :0 or host:0' }).optional(),
  source: oneOf(['x11', 'synthetic', 'system-capture']).optional(),
  width: intIn(16, 8192).optional(),
  height: intIn(16, 8192).optional(),
  handshake_timeout: intIn(1, 300).default(10),
  max_cut_text: intIn(0, 64 * 1024 * 1024).default(256 * 1024),
  metrics_port: intIn(0, 65535).default(9100),
  /** Address /metrics listens on (default 127.0.0.1). */
  metrics_host: address.optional(),
  view_only: bool.default(false),
  clipboard: oneOf(['both', 'to-clients', 'from-clients', 'off']).default('both'),
  allow_resize: bool.default(true),
  monitor: z
    .string({ error: 'must be an output name (e.g. HDMI-1) or an index' })
    .min(1, { error: 'must be an output name (e.g. HDMI-1) or an index' })
    .optional(),
  clip: z
    .string({ error: 'must be WIDTHxHEIGHT+X+Y, e.g. 1280x720+0+0' })
    .regex(/^\d+x\d+\+\d+\+\d+$/, { error: 'must be WIDTHxHEIGHT+X+Y, e.g. 1280x720+0+0' })
    .optional(),
  /** Where recordings go (default: the recordings folder in the user's data folder). */
  record_dir: z.string({ error: 'must be the path of a folder' }).min(1, { error: 'must be the path of a folder' }).optional(),
  /**
   * When to record: never, whenever a viewer is connected (one file per
   * sharing period), or when asked (control API, dashboard, tray menu).
   * Unset: while-viewed if record_dir is set, else off.
   */
  record_mode: oneOf(['off', 'while-viewed', 'manual']).optional(),
  /** Record viewers' key events (off: typed passwords must not end up in files). */
  record_keys: bool.default(false),
  /** Record the clipboard's text, not only its size. */
  record_clipboard_text: bool.default(false),
  /**
   * Attended access: ask a person (the dashboard, the tray app) before each
   * viewer that authenticated gets in.
   */
  accept_prompt: bool.default(false),
  /**
   * Attended access by a program: a shell command run for each viewer that
   * authenticated; exit status 0 accepts, 1 accepts view-only, anything else
   * refuses. The viewer's details are in its environment (TRAYVNC_CLIENT_ADDRESS, …).
   */
  accept_command: z.string({ error: 'must be a command' }).min(1, { error: 'must be a command' }).max(4096, { error: 'must be at most 4096 characters' }).optional(),
  /** Seconds the prompt or the command has to answer before accept_default applies. */
  accept_timeout: intIn(1, 600).default(30),
  /** The answer when nobody (or no command) answered in time. */
  accept_default: oneOf(['refuse', 'view-only', 'accept']).default('refuse'),
  /** Keep the audit trail: who connected, who let them in, refusals, control changes, clipboard sizes, recordings. */
  audit_log: bool.default(true),
  /** The audit trail's file (JSON lines; default: audit.jsonl in the user's state folder). */
  audit_file: z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' }).optional(),
}).superRefine((s, ctx) => {
  // DES reads 8 characters: a view-only password that starts like the full one would give full control.
  if (typeof s.password === 'string' && typeof s.view_only_password === 'string' && sameVncPassword(s.password, s.view_only_password)) {
    ctx.addIssue({ code: 'custom', path: ['view_only_password'], message: VIEW_ONLY_CLASH });
  }
});

/** Validated settings, defaults filled in. */
export type Settings = z.output<typeof SettingsSchema>;
/** Settings as written in a file or a form: every field optional. */
export type SettingsInput = z.input<typeof SettingsSchema>;
export type SettingKey = keyof Settings & string;

/** Every setting's key, in the schema's order. */
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** What each setting is called in the UI (visible labels and accessible names). */
export const SETTING_LABELS: Record<SettingKey, string> = {
  host: 'Listen address',
  port: 'Port',
  websocket_port: 'WebSocket port',
  websocket_tls: 'WebSocket over TLS (wss://)',
  websocket_on_vnc_port: 'Browsers on the VNC port',
  websocket_origins: 'Allowed web origins',
  dashboard_tls: 'Dashboard over HTTPS',
  connect: 'Connect to a listening viewer',
  discovery: 'Announce on the network',
  dashboard_port: 'Dashboard port',
  dashboard_host: 'Dashboard address',
  password: 'Password',
  password_file: 'Password file',
  view_only_password: 'View-only password',
  view_only_password_file: 'View-only password file',
  security_types: 'Security types',
  insecure_no_auth: 'Allow no authentication beyond this computer',
  vencrypt_subtypes: 'VeNCrypt subtypes',
  tls_cert_file: 'TLS certificate file',
  tls_key_file: 'TLS key file',
  users_file: 'Users file',
  frame_rate: 'Frame rate',
  max_connections: 'Maximum connections',
  enable_region_detection: 'Region detection',
  enable_metrics: 'Prometheus metrics',
  log_level: 'Log level',
  log_format: 'Log format',
  always_shared: 'Always shared',
  desktop_name: 'Desktop name',
  display: 'X display',
  source: 'Screen source',
  width: 'Width',
  height: 'Height',
  handshake_timeout: 'Handshake timeout',
  max_cut_text: 'Clipboard size limit',
  metrics_port: 'Metrics port',
  metrics_host: 'Metrics address',
  view_only: 'View only',
  clipboard: 'Clipboard',
  allow_resize: 'Allow resize',
  monitor: 'Monitor',
  clip: 'Shared area',
  record_dir: 'Recordings folder',
  record_mode: 'Record',
  record_keys: 'Record typed keys',
  record_clipboard_text: 'Record clipboard text',
  accept_prompt: 'Ask before accepting',
  accept_command: 'Accept command',
  accept_timeout: 'Answer within',
  accept_default: 'When nobody answers',
  audit_log: 'Audit trail',
  audit_file: 'Audit file',
};

/**
 * Settings the control API may not change: a command the server runs, and
 * the audit trail that records what the control API's users do. They are set
 * in the config file or on the command line, by whoever runs the server.
 */
export const LOCAL_ONLY_SETTINGS: readonly SettingKey[] = ['accept_command', 'audit_log', 'audit_file'];

/**
 * Messages per offending field, each without the field's name ("must be a
 * whole number from 1 to 60"); the key `settings` holds problems with the
 * whole object, as whole sentences.
 */
export type FieldErrors = Record<string, string[]>;

/** The key of FieldErrors for problems that are not about one field. */
export const WHOLE_SETTINGS = 'settings';

/** Minimal view of a zod issue, so callers need not depend on zod's types. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Group zod issues by top-level field. */
export function fieldErrorsFromIssues(issues: readonly IssueLike[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const key = i.path.length > 0 ? String(i.path[0]) : WHOLE_SETTINGS;
    // Deeper paths (an element of a value) say where, after the field's name.
    const where = i.path.length > 1 ? `${i.path.slice(1).map(String).join('.')}: ` : '';
    (out[key] ??= []).push(`${where}${i.message}`);
  }
  return out;
}

/** One field's problem as a sentence, the field named by `name` (its key unless told). */
export function fieldErrorLine(key: string, message: string, name: (key: string) => string = (k) => k): string {
  return key === WHOLE_SETTINGS ? message : `${name(key)} ${message}`;
}

/**
 * One line per problem, each naming its field. By default the field's key,
 * as the command line and the README say it ("port must be a whole number
 * from 0 to 65535"); a form passes its labels.
 */
export function fieldErrorLines(errors: FieldErrors, name?: (key: string) => string): string[] {
  return Object.entries(errors).flatMap(([key, messages]) => messages.map((m) => fieldErrorLine(key, m, name)));
}

export type SettingsValidation = { ok: true; settings: Settings } | { ok: false; fieldErrors: FieldErrors };

/** Validate raw settings (a whole file or form); problems come back per field. */
export function validateSettings(raw: unknown): SettingsValidation {
  const result = SettingsSchema.safeParse(raw);
  return result.success ? { ok: true, settings: result.data } : { ok: false, fieldErrors: fieldErrorsFromIssues(result.error.issues) };
}
