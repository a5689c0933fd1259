import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, readConfigFile, unknownKeys, type Config } from './app/config.js';
import { userConfigPath } from './app/config-file.js';
import { FRAME_RATE } from '../shared/frame-rate.js';
import type { SettingKey } from '../shared/settings-schema.js';
import { SECURITY_TYPE_NAMES } from '../shared/security-names.js';

/**
 * `trayvnc serve`'s options: the help text, the flags, and how they and the
 * config file become one validated Config.
 */

export const HELP = `trayvnc — a VNC (RFB) server for this desktop

Usage:
  trayvnc serve [options]     share a desktop with VNC viewers
  trayvnc recording info|list|export ...   recordings (below)
  trayvnc user add|remove|list ...        users for VeNCrypt's Plain logins (trayvnc user --help)
  trayvnc passwd FILE [--view-only]       write a password file (vncpasswd format; trayvnc passwd --help)
  trayvnc --help | --version

Options for serve (flags override the config file):
  --config FILE             JSON config file (PyVNCServer's config.json keys work);
                            default: $XDG_CONFIG_HOME/trayvnc/config.json (or
                            ~/.config/trayvnc/config.json) if it exists. Settings
                            changed from the dashboard are saved there
  --host ADDR               address to listen on (default 127.0.0.1 without a
                            password, 0.0.0.0 with one)
  --port N                  TCP port (default 5900; 0 picks a free port)
  --websocket-port N        also serve browser viewers (noVNC) over WebSocket on port N
  --websocket-tls           serve them over wss:// with the server's TLS certificate
                            (then noVNC may log in with a user name: VeNCrypt Plain)
  --no-websocket-on-vnc-port  do not answer browsers (WebSocket) on the VNC port; by
                            default a new connection there waits up to 0.1 s for
                            a browser's request before the server speaks RFB
  --websocket-origins LIST  web pages (origins, comma-separated, or *) whose scripts
                            may connect over WebSocket (default: any with a
                            password, else pages on this computer)
  --discovery auto|on|off   announce this server on the LAN (mDNS, _rfb._tcp) so
                            viewers list it; auto (default): when listening beyond
                            this computer
  --connect HOST[:PORT]     call out to a viewer in listen mode (vncviewer -listen;
                            port 5500 by default), retrying a few times
  --http-tls                serve the dashboard over https:// and wss:// with the
                            server's TLS certificate
  --http-port N             serve the web dashboard (and its control API) on port N;
                            its address, with an access token, is printed at start
                            (token: $TRAYVNC_DASHBOARD_TOKEN, or random)
  --http-host ADDR          address for the dashboard (default 127.0.0.1)
  --dashboard-port N        the same as --http-port
  --password PW             VNC password (only the first 8 characters count; other
                            users can see it in the process list: prefer a file)
  --password-file FILE      read the password from FILE: a vncpasswd file (TigerVNC's
                            format, also holding a view-only password when it has
                            one; see trayvnc passwd) or the first line of a text file
  --view-only-password PW   a second password: viewers who give it can watch but
                            not control (it must differ from --password in its
                            first 8 characters)
  --view-only-password-file FILE  read the view-only password from FILE (either format)
  --security-types LIST     security types to offer, most preferred first, from
                            ${SECURITY_TYPE_NAMES.join(', ')}
                            (default: every one the credentials allow, the
                            encrypted ones first, vnc last)
  --vencrypt-subtypes LIST  VeNCrypt's subtypes, most preferred first (TigerVNC's
                            names: TLSPlain, TLSVnc, X509Plain, X509Vnc, TLSNone,
                            X509None, Plain; default the first four)
  --tls-cert FILE           TLS certificate (PEM) for the X509 subtypes (default: one
                            made on first use, kept in $XDG_CONFIG_HOME/trayvnc)
  --tls-key FILE            its private key (PEM)
  --users-file FILE         users for user-name logins (default
                            $XDG_CONFIG_HOME/trayvnc/users.json; trayvnc user add)
  --insecure-no-auth        let viewers in without any password from other
                            computers (a --host beyond loopback); refused otherwise
  --frame-rate N            updates per second per client, ${FRAME_RATE.min}-${FRAME_RATE.max} (default ${FRAME_RATE.default})
  --max-connections N       most clients at once (default 10)
  --display :N              share this X11 display (default $DISPLAY)
  --source x11|synthetic    where pixels come from (synthetic: a test pattern;
                            without a display it is shared, with a warning)
  --size WxH                size of the synthetic desktop (default 1280x720)
  --desktop-name NAME       name shown by viewers (default: host name)
  --monitor NAME|INDEX      share one monitor (RandR output) instead of the desktop
  --clip WxH+X+Y            share this rectangle of the desktop
  --view-only               clients can watch but not control
  --clipboard MODE          both (default), to-clients, from-clients or off
  --no-resize               refuse clients' requests to change the desktop size
  --always-shared           never let a client disconnect the others
  --handshake-timeout SECONDS  drop a client that has not finished the handshake
                            in this time, 1-300 (default 10)
  --max-cut-text BYTES      largest clipboard text taken from or sent to a client
                            (default 262144)
  --no-region-detection     send whole damaged areas without tile comparison
  --log-level L             debug, info, warn or error (default info)
  --log-format json|pretty  JSON lines, or readable lines (default: pretty on a
                            terminal, JSON otherwise)
  --metrics                 serve Prometheus metrics on /metrics (and /healthz)
  --metrics-port N          port for /metrics (default 9100; implies --metrics)
  --metrics-host ADDR       address for /metrics (default 127.0.0.1; implies --metrics)
  --record DIR              record the desktop into DIR (.vnc.gz files): by default
                            whenever a viewer is connected, one file per session
  --record-mode MODE        off, while-viewed (default with --record) or manual
                            (started and stopped from the dashboard)
  --record-keys             also record viewers' key events (off: typed passwords
                            stay out of recordings)
  --record-clipboard-text   also record clipboard text (off: only its size)
  --accept-prompt           ask at the dashboard (or the tray app) before each viewer
                            that authenticated gets in: Accept, view-only or Refuse
  --accept-command CMD      run CMD (with the shell) for each viewer that authenticated:
                            exit 0 accepts, 1 accepts view-only, anything else refuses;
                            the viewer is described in the environment
                            (TRAYVNC_CLIENT_ADDRESS, TRAYVNC_SECURITY_TYPE, TRAYVNC_USER,
                            TRAYVNC_ACCESS)
  --accept-timeout SECONDS  time the prompt or the command has to answer, 1-600 (default 30)
  --accept-default ANSWER   refuse (default), view-only or accept: the answer when
                            nobody answered in time
  --audit-file FILE         keep the audit trail (JSON lines) in FILE (default:
                            $XDG_STATE_HOME/trayvnc/audit.jsonl, or
                            ~/.local/state/trayvnc/audit.jsonl)
  --no-audit                keep no audit trail

Recordings (TrayVNC's .vnc.gz, and PyVNCServer's, which hold a timeline only):
  trayvnc recording info FILE [--json]
                                   what a recording holds; complete, or cut short
  trayvnc recording list DIR [--json]
                                   the recordings in a folder, newest first
  trayvnc recording export FILE --to fbs OUT [--force]
                                   as an FBS 001.001 file (rfbproxy, TightVNC's player);
                                   --force replaces OUT if it exists
`;

/** The options parseArgs knows (every flag of HELP). */
export const CLI_OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'websocket-port': { type: 'string' },
  'websocket-tls': { type: 'boolean' },
  'no-websocket-on-vnc-port': { type: 'boolean' },
  'websocket-origins': { type: 'string' },
  'http-tls': { type: 'boolean' },
  connect: { type: 'string' },
  discovery: { type: 'string' },
  'dashboard-port': { type: 'string' },
  'http-port': { type: 'string' },
  'http-host': { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'view-only-password': { type: 'string' },
  'view-only-password-file': { type: 'string' },
  'security-types': { type: 'string' },
  'insecure-no-auth': { type: 'boolean' },
  'vencrypt-subtypes': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'users-file': { type: 'string' },
  'frame-rate': { type: 'string' },
  'max-connections': { type: 'string' },
  display: { type: 'string' },
  source: { type: 'string' },
  size: { type: 'string' },
  'desktop-name': { type: 'string' },
  'always-shared': { type: 'boolean' },
  'handshake-timeout': { type: 'string' },
  'max-cut-text': { type: 'string' },
  monitor: { type: 'string' },
  clip: { type: 'string' },
  'view-only': { type: 'boolean' },
  clipboard: { type: 'string' },
  'no-resize': { type: 'boolean' },
  'no-region-detection': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  metrics: { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  record: { type: 'string' },
  'record-mode': { type: 'string' },
  'record-keys': { type: 'boolean' },
  'record-clipboard-text': { type: 'boolean' },
  'accept-prompt': { type: 'boolean' },
  'accept-command': { type: 'string' },
  'accept-timeout': { type: 'string' },
  'accept-default': { type: 'string' },
  'audit-file': { type: 'string' },
  'no-audit': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/**
 * The flag that sets each config key, as --help shows it (--size sets width
 * and height; the --no-… flags turn a default-on setting off). null: the key
 * is set only in the config file (then it must be in FILE_ONLY_KEYS, which
 * --help names). Typed over every key, so a new setting needs a decision here.
 */
export const FLAG_OF_KEY: Record<SettingKey, `--${keyof typeof CLI_OPTIONS}` | null> = {
  host: '--host',
  port: '--port',
  websocket_port: '--websocket-port',
  websocket_tls: '--websocket-tls',
  websocket_on_vnc_port: '--no-websocket-on-vnc-port',
  websocket_origins: '--websocket-origins',
  dashboard_tls: '--http-tls',
  connect: '--connect',
  discovery: '--discovery',
  dashboard_port: '--http-port',
  dashboard_host: '--http-host',
  password: '--password',
  password_file: '--password-file',
  view_only_password: '--view-only-password',
  view_only_password_file: '--view-only-password-file',
  security_types: '--security-types',
  insecure_no_auth: '--insecure-no-auth',
  vencrypt_subtypes: '--vencrypt-subtypes',
  tls_cert_file: '--tls-cert',
  tls_key_file: '--tls-key',
  users_file: '--users-file',
  frame_rate: '--frame-rate',
  max_connections: '--max-connections',
  enable_region_detection: '--no-region-detection',
  enable_metrics: '--metrics',
  log_level: '--log-level',
  log_format: '--log-format',
  always_shared: '--always-shared',
  desktop_name: '--desktop-name',
  display: '--display',
  source: '--source',
  width: '--size',
  height: '--size',
  handshake_timeout: '--handshake-timeout',
  max_cut_text: '--max-cut-text',
  metrics_port: '--metrics-port',
  metrics_host: '--metrics-host',
  view_only: '--view-only',
  clipboard: '--clipboard',
  allow_resize: '--no-resize',
  monitor: '--monitor',
  clip: '--clip',
  record_dir: '--record',
  record_mode: '--record-mode',
  record_keys: '--record-keys',
  record_clipboard_text: '--record-clipboard-text',
  accept_prompt: '--accept-prompt',
  accept_command: '--accept-command',
  accept_timeout: '--accept-timeout',
  accept_default: '--accept-default',
  audit_log: '--no-audit',
  audit_file: '--audit-file',
};

/** Config keys without a flag (none today; --help would name them). */
export const FILE_ONLY_KEYS: readonly SettingKey[] = [];

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new ConfigError([`--${name}: "${v}" is not a whole number`]);
  return Number(v);
}

/** The settings to run with, and the file that changes made from the dashboard go to. */
export interface Setup {
  config: Config;
  /** --config FILE, or the user's config file (which may not exist yet). */
  configPath: string;
}

export function buildConfig(argv: string[]): Setup {
  const { values } = parseArgs({ args: argv, strict: true, options: CLI_OPTIONS });
  if (values['http-port'] !== undefined && values['dashboard-port'] !== undefined) {
    throw new ConfigError(['use either --http-port or --dashboard-port (the same setting), not both']);
  }
  if (values.password !== undefined && values['password-file'] !== undefined) {
    throw new ConfigError(['use either --password or --password-file, not both']);
  }
  if (values['view-only-password'] !== undefined && values['view-only-password-file'] !== undefined) {
    throw new ConfigError(['use either --view-only-password or --view-only-password-file, not both']);
  }
  // Without --config, the user's config file, where the dashboard saves settings (absent until it does).
  const configPath = values.config ?? userConfigPath();
  const file = values.config !== undefined || existsSync(configPath) ? readConfigFile(configPath) : {};
  const unknown = unknownKeys(file);
  const flags: Record<string, unknown> = {
    host: values.host,
    port: int('port', values.port),
    websocket_port: int('websocket-port', values['websocket-port']),
    websocket_tls: values['websocket-tls'],
    websocket_on_vnc_port: values['no-websocket-on-vnc-port'] ? false : undefined,
    websocket_origins: values['websocket-origins']?.split(',').map((o) => o.trim()),
    dashboard_tls: values['http-tls'],
    connect: values.connect,
    discovery: values.discovery,
    dashboard_port: int('http-port', values['http-port']) ?? int('dashboard-port', values['dashboard-port']),
    dashboard_host: values['http-host'],
    password: values.password,
    password_file: values['password-file'],
    view_only_password: values['view-only-password'],
    view_only_password_file: values['view-only-password-file'],
    security_types: values['security-types']?.split(',').map((t) => t.trim()),
    insecure_no_auth: values['insecure-no-auth'],
    vencrypt_subtypes: values['vencrypt-subtypes']?.split(',').map((t) => t.trim()),
    tls_cert_file: values['tls-cert'],
    tls_key_file: values['tls-key'],
    users_file: values['users-file'],
    frame_rate: int('frame-rate', values['frame-rate']),
    max_connections: int('max-connections', values['max-connections']),
    display: values.display,
    source: values.source,
    desktop_name: values['desktop-name'],
    always_shared: values['always-shared'],
    handshake_timeout: int('handshake-timeout', values['handshake-timeout']),
    max_cut_text: int('max-cut-text', values['max-cut-text']),
    monitor: values.monitor,
    clip: values.clip,
    view_only: values['view-only'],
    clipboard: values.clipboard,
    allow_resize: values['no-resize'] ? false : undefined,
    enable_region_detection: values['no-region-detection'] ? false : undefined,
    log_level: values['log-level'],
    log_format: values['log-format'],
    enable_metrics: values.metrics || values['metrics-port'] !== undefined || values['metrics-host'] !== undefined ? true : undefined,
    metrics_port: int('metrics-port', values['metrics-port']),
    metrics_host: values['metrics-host'],
    record_dir: values.record,
    record_mode: values['record-mode'],
    record_keys: values['record-keys'],
    record_clipboard_text: values['record-clipboard-text'],
    accept_prompt: values['accept-prompt'],
    accept_command: values['accept-command'],
    accept_timeout: int('accept-timeout', values['accept-timeout']),
    accept_default: values['accept-default'],
    audit_log: values['no-audit'] ? false : undefined,
    audit_file: values['audit-file'],
  };
  if (values.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(values.size);
    if (!m) throw new ConfigError([`--size: "${values.size}" is not WIDTHxHEIGHT`]);
    flags['width'] = Number(m[1]);
    flags['height'] = Number(m[2]);
  }
  const merged: Record<string, unknown> = { ...file };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  // A password on the command line replaces a password file from the config, and vice versa.
  for (const [pw, file] of [
    ['password', 'password_file'],
    ['view_only_password', 'view_only_password_file'],
  ] as const) {
    if (flags[pw] !== undefined) delete merged[file];
    if (flags[file] !== undefined) delete merged[pw];
  }
  const config = parseConfig(merged);
  if (unknown.length > 0) process.stderr.write(`warning: ignoring unknown config keys: ${unknown.join(', ')}\n`);
  const plain = plainPasswordWarning(file, configPath);
  if (plain) process.stderr.write(`warning: ${plain}\n`);
  return { config, configPath };
}


/**
 * What to say when the config file holds a password in plain text, or null:
 * how to move it into a password file (`trayvnc passwd`), which keeps it
 * out of a file that is copied, shared and shown more often.
 */
export function plainPasswordWarning(file: Record<string, unknown>, configPath: string): string | null {
  const full = typeof file['password'] === 'string';
  const viewOnly = typeof file['view_only_password'] === 'string';
  if (!full && !viewOnly) return null;
  const target = join(dirname(resolve(configPath)), 'passwd');
  const what = full && viewOnly ? 'the password and the view-only password' : full ? 'the password' : 'the view-only password';
  // A vncpasswd file holds both passwords: with a view-only one, one file takes both.
  const command = viewOnly ? `trayvnc passwd --view-only ${target}` : `trayvnc passwd ${target}`;
  const remove = [...(full ? ['"password"'] : []), ...(viewOnly ? ['"view_only_password"'] : [])].join(' and ');
  return (
    `${configPath} holds ${what} in plain text. Keep ${full && viewOnly ? 'them' : 'it'} in a password file instead: ` +
    `run \`${command}\`${viewOnly ? ' (it asks for both passwords)' : ''}, then in ${configPath} set "password_file": ${JSON.stringify(target)} and remove ${remove}.`
  );
}
