#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, readConfigFile, unknownKeys, type Config } from './app/config.js';
import { saveSettingsToFile, userConfigPath } from './app/config-file.js';
import { VncService } from './app/vnc-service.js';
import { configureLogging, getLogger } from './base/logger.js';

const HELP = `trayvnc — a VNC (RFB) server for this desktop

Usage:
  trayvnc serve [options]     share a desktop with VNC viewers
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
  --http-port N             serve the web dashboard (and its control API) on port N;
                            its address, with an access token, is printed at start
                            (token: $TRAYVNC_DASHBOARD_TOKEN, or random)
  --http-host ADDR          address for the dashboard (default 127.0.0.1)
  --dashboard-port N        the same as --http-port
  --password PW             VNC password (only the first 8 characters count)
  --password-file FILE      read the password from the first line of FILE
  --frame-rate N            updates per second per client, 1-60 (default 30)
  --max-connections N       most clients at once (default 10)
  --display :N              share this X11 display (default $DISPLAY)
  --source x11|synthetic    where pixels come from (synthetic: a test pattern)
  --size WxH                size of the synthetic desktop (default 1280x720)
  --desktop-name NAME       name shown by viewers (default: host name)
  --monitor NAME|INDEX      share one monitor (RandR output) instead of the desktop
  --clip WxH+X+Y            share this rectangle of the desktop
  --view-only               clients can watch but not control
  --clipboard MODE          both (default), to-clients, from-clients or off
  --no-resize               refuse clients' requests to change the desktop size
  --always-shared           never let a client disconnect the others
  --no-region-detection     send whole damaged areas without tile comparison
  --log-level L             debug, info, warn or error (default info)
  --log-format json|pretty  JSON lines, or readable lines (default: pretty on a
                            terminal, JSON otherwise)
  --metrics                 serve Prometheus metrics on /metrics (and /healthz)
  --metrics-port N          port for /metrics (default 9100; implies --metrics)
  --metrics-host ADDR       address for /metrics (default 127.0.0.1; implies --metrics)
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new ConfigError([`--${name}: "${v}" is not a whole number`]);
  return Number(v);
}

/** The settings to run with, and the file that changes made from the dashboard go to. */
interface Setup {
  config: Config;
  /** --config FILE, or the user's config file (which may not exist yet). */
  configPath: string;
}

function buildConfig(argv: string[]): Setup {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'websocket-port': { type: 'string' },
      'dashboard-port': { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      'frame-rate': { type: 'string' },
      'max-connections': { type: 'string' },
      display: { type: 'string' },
      source: { type: 'string' },
      size: { type: 'string' },
      'desktop-name': { type: 'string' },
      'always-shared': { type: 'boolean' },
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
    },
  });
  if (values['http-port'] !== undefined && values['dashboard-port'] !== undefined) {
    throw new ConfigError(['use either --http-port or --dashboard-port (the same setting), not both']);
  }
  if (values.password !== undefined && values['password-file'] !== undefined) {
    throw new ConfigError(['use either --password or --password-file, not both']);
  }
  // Without --config, the user's config file, where the dashboard saves settings (absent until it does).
  const configPath = values.config ?? userConfigPath();
  const file = values.config !== undefined || existsSync(configPath) ? readConfigFile(configPath) : {};
  const unknown = unknownKeys(file);
  const flags: Record<string, unknown> = {
    host: values.host,
    port: int('port', values.port),
    websocket_port: int('websocket-port', values['websocket-port']),
    dashboard_port: int('http-port', values['http-port']) ?? int('dashboard-port', values['dashboard-port']),
    dashboard_host: values['http-host'],
    password: values.password,
    password_file: values['password-file'],
    frame_rate: int('frame-rate', values['frame-rate']),
    max_connections: int('max-connections', values['max-connections']),
    display: values.display,
    source: values.source,
    desktop_name: values['desktop-name'],
    always_shared: values['always-shared'],
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
  if (flags['password'] !== undefined) delete merged['password_file'];
  if (flags['password_file'] !== undefined) delete merged['password'];
  if (merged['display'] === undefined && merged['source'] === undefined && process.env['DISPLAY']) {
    merged['display'] = process.env['DISPLAY'];
  }
  const config = parseConfig(merged);
  if (unknown.length > 0) process.stderr.write(`warning: ignoring unknown config keys: ${unknown.join(', ')}\n`);
  return { config, configPath };
}

async function serve(argv: string[]): Promise<void> {
  const { config, configPath } = buildConfig(argv);
  configureLogging({ level: config.log_level, format: config.log_format });
  const log = getLogger('cli');
  const service = await VncService.create(config);
  let addr: AddressInfo;
  try {
    // Changes made from the dashboard are kept in the config file (only the keys changed).
    addr = await service.start({ saveSettings: (next, changed) => saveSettingsToFile(configPath, next, changed) });
  } catch (e) {
    // start() closed what it had opened; release the desktop too, briefly: the error is what matters now.
    await Promise.race([service.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
    throw e;
  }
  if (service.password && service.password.length > 8) {
    log.warn('VNC Authentication uses only the first 8 characters of the password');
  }
  const where = config.source === 'synthetic' || !config.display ? 'synthetic desktop' : `display ${config.display}`;
  process.stdout.write(
    `TrayVNC listening on ${addr.address}:${addr.port} (${where}, ${service.source.width}x${service.source.height}, ` +
      `${service.password ? 'password required' : 'no password'})\n`,
  );
  if (service.websocket) {
    const ws = service.websocket.address;
    process.stdout.write(`TrayVNC WebSocket (noVNC): ws://${ws.address}:${ws.port}/\n`);
  }
  if (service.dashboard) {
    if (service.dashboard.pageUrl) process.stdout.write(`TrayVNC dashboard: ${service.dashboard.pageUrl}\n`);
    process.stdout.write(`TrayVNC control API: ${service.dashboard.url}\n`);
  }
  log.info({ host: addr.address, port: addr.port }, 'listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void service.stop().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (cmd === 'serve') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    await serve(rest);
    return -1; // keep running
  }
  process.stderr.write(`trayvnc: unknown command "${cmd}"\n\n${HELP}`);
  return 2;
}

/** Print why the command failed; the exit code says what kind of failure it was. */
function report(e: unknown): number {
  if (e instanceof ConfigError) {
    process.stderr.write(`trayvnc: invalid configuration:\n  ${e.problems.join('\n  ')}\n`);
    return 2;
  }
  if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`trayvnc: ${e.message}\n\n${HELP}`);
    return 2;
  }
  process.stderr.write(`trayvnc: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  // Exit now: whatever a failed start left open (a timer, a connection) must not keep the process alive.
  (e: unknown) => process.exit(report(e)),
);
