#!/usr/bin/env node
import type { AddressInfo } from 'node:net';
import { ConfigError } from './app/config.js';
import { saveSettingsToFile } from './app/config-file.js';
import { buildConfig, HELP } from './cli-options.js';
import { recordingCommand } from './cli-recording.js';
import { userCommand } from './cli-user.js';
import { passwdCommand } from './cli-passwd.js';
import { VncService } from './app/vnc-service.js';
import { identityOf } from './app/server-identity.js';
import { packageVersion } from './app/version.js';
import { configureLogging, getLogger } from './base/logger.js';
import { MMAP_THRESHOLD_VAR, tuneMalloc } from './base/malloc-tuning.js';


async function serve(argv: string[]): Promise<void> {
  const { config, configPath } = buildConfig(argv);
  // Before anything else: this may start the process again, in place, with malloc set to give memory back.
  const malloc = tuneMalloc();
  configureLogging({ level: config.log_level, format: config.log_format });
  const log = getLogger('cli');
  log.debug({ malloc: process.env[MMAP_THRESHOLD_VAR] ?? malloc }, 'malloc settings');
  const service = await VncService.create(config);
  // Sharing a test pattern nobody asked for is easy to miss: one line on stderr says so, and how to choose.
  if (service.backend?.warning) {
    process.stderr.write(`warning: ${service.backend.warning}\n`);
    log.warn({ reason: service.backend.reason }, service.backend.warning);
  }
  let addr: AddressInfo;
  try {
    // Changes made from the dashboard are kept in the config file (only the keys changed).
    // The command line has no system screen capture: the dashboard refuses that source before it is saved.
    addr = await service.start({ saveSettings: (next, changed) => saveSettingsToFile(configPath, next, changed), systemCapture: false });
  } catch (e) {
    // start() closed what it had opened; release the desktop too, briefly: the error is what matters now.
    await Promise.race([service.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref())]);
    throw e;
  }
  // Sharing beyond this computer without authentication or encryption: said at every start, not only once.
  for (const warning of service.securityWarnings) {
    process.stderr.write(`warning: ${warning.message}\n`);
    log.warn({ kind: warning.kind }, warning.message);
  }
  if (service.password && service.password.length > 8) {
    log.warn('VNC Authentication uses only the first 8 characters of the password');
  }
  if (config.accept_prompt && !service.dashboard) {
    // Only the dashboard (or a control API client) can answer here: without it every viewer waits for the default.
    log.warn(
      { acceptTimeout: config.accept_timeout, acceptDefault: config.accept_default },
      `accept_prompt is on but the dashboard is not (--http-port): nobody can answer, so each viewer gets "${config.accept_default}" after ${config.accept_timeout} s`,
    );
  }
  // $DISPLAY is read where the backend is chosen (desktop/backend-choice.ts), not copied into the settings.
  const where = service.backend?.backend === 'x11' ? `display ${service.backend.display}` : 'synthetic desktop';
  process.stdout.write(
    `TrayVNC listening on ${addr.address}:${addr.port} (${where}, ${service.source.width}x${service.source.height}, ` +
      `${service.password || service.viewOnlyPassword ? 'password required' : 'no password'})\n`,
  );
  // Viewers show these the first time they connect: the user compares them by eye (only for what is offered).
  const { tls, rsa } = service.security;
  const shown = identityOf(service);
  if (tls && shown?.tlsFingerprint) {
    process.stdout.write(`TrayVNC TLS certificate SHA-256: ${tls.fingerprint}\n`);
    log.info({ fingerprint: tls.fingerprint, source: tls.source, certificate: tls.certPath }, `TLS certificate (${tls.source}) SHA-256 fingerprint ${tls.fingerprint}`);
    if (tls.renewed) log.warn('the generated TLS certificate had expired and was replaced: viewers that saved the old one will ask again');
  }
  if (rsa && shown?.rsaFingerprint) {
    process.stdout.write(`TrayVNC RSA key fingerprint: ${rsa.fingerprint}\n`);
    log.info({ fingerprint: rsa.fingerprint, sha256: rsa.sha256, key: rsa.path }, `RSA key fingerprint ${rsa.fingerprint}`);
  }
  if (service.websocket) {
    const ws = service.websocket.address;
    process.stdout.write(`TrayVNC WebSocket (noVNC): ${service.websocket.secure ? 'wss' : 'ws'}://${ws.address}:${ws.port}/\n`);
  }
  if (config.websocket_on_vnc_port) {
    const secure = service.security.tls ? ` (wss:// too)` : '';
    process.stdout.write(`TrayVNC browsers (noVNC): ws://${urlHost(addr)}:${addr.port}/${secure}\n`);
  }
  if (service.dashboard) {
    if (service.dashboard.pageUrl) {
      process.stdout.write(`TrayVNC dashboard: ${service.dashboard.pageUrl}\n`);
      process.stdout.write(`TrayVNC browser viewer: ${new URL('/viewer', service.dashboard.pageUrl).href}\n`);
    }
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

/** An address as it goes in a URL (IPv6 in brackets). */
function urlHost(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]` : a.address;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
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
  if (cmd === 'recording') return recordingCommand(rest);
  if (cmd === 'user') return userCommand(rest);
  if (cmd === 'passwd') return passwdCommand(rest);
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
