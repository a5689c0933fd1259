import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

const intIn = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a whole number from ${min} to ${max}` })
    .int({ error: `${name} must be a whole number from ${min} to ${max}` })
    .min(min, { error: `${name} must be a whole number from ${min} to ${max}` })
    .max(max, { error: `${name} must be a whole number from ${min} to ${max}` });

const level = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  z.enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'log_level must be one of debug, info, warn, error' }),
);

/**
 * The configuration file. Keys keep PyVNCServer's names so its config.json
 * files load unchanged; the rest are ours. Every field is optional in the file.
 */
export const ConfigSchema = z.object({
  host: z.string().min(1, { error: 'host must be an address such as 127.0.0.1 or 0.0.0.0' }).optional(),
  port: intIn('port', 0, 65535).default(5900),
  websocket_port: intIn('websocket_port', 0, 65535).optional(),
  password: z
    .string()
    .min(1, { error: 'password must not be empty (leave it out for no password)' })
    .max(256, { error: 'password must be at most 256 characters' })
    .nullable()
    .optional(),
  password_file: z.string().min(1).optional(),
  frame_rate: intIn('frame_rate', 1, 60).default(30),
  max_connections: intIn('max_connections', 1, 1000).default(10),
  enable_region_detection: z.boolean({ error: 'enable_region_detection must be true or false' }).default(true),
  enable_metrics: z.boolean({ error: 'enable_metrics must be true or false' }).default(false),
  log_level: level.default('info'),
  log_format: z.enum(['json', 'pretty'], { error: 'log_format must be json or pretty' }).optional(),
  always_shared: z.boolean({ error: 'always_shared must be true or false' }).default(false),
  desktop_name: z.string().max(255, { error: 'desktop_name must be at most 255 characters' }).optional(),
  display: z.string().regex(/^[\w.-]*:\d+(\.\d+)?$/, { error: 'display must look like :0 or host:0' }).optional(),
  source: z.enum(['x11', 'synthetic'], { error: 'source must be x11 or synthetic' }).optional(),
  width: intIn('width', 16, 8192).optional(),
  height: intIn('height', 16, 8192).optional(),
  handshake_timeout: intIn('handshake_timeout', 1, 300).default(10),
  max_cut_text: intIn('max_cut_text', 0, 64 * 1024 * 1024).default(256 * 1024),
  metrics_port: intIn('metrics_port', 0, 65535).default(9100),
  view_only: z.boolean({ error: 'view_only must be true or false' }).default(false),
  clipboard: z
    .enum(['both', 'to-clients', 'from-clients', 'off'], { error: 'clipboard must be one of both, to-clients, from-clients, off' })
    .default('both'),
  allow_resize: z.boolean({ error: 'allow_resize must be true or false' }).default(true),
  monitor: z.string().min(1, { error: 'monitor must be an output name (e.g. HDMI-1) or an index' }).optional(),
  clip: z
    .string()
    .regex(/^\d+x\d+\+\d+\+\d+$/, { error: 'clip must be WIDTHxHEIGHT+X+Y, e.g. 1280x720+0+0' })
    .optional(),
});

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** A configuration problem, with one message per offending field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Validate raw settings (file contents merged with flags); throws ConfigError naming each bad field. */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const field = i.path.join('.') || 'config';
        return i.message.startsWith(field) ? i.message : `${field}: ${i.message}`;
      }),
    );
  }
  return result.data;
}

/** Keys present in a config file that we do not know (reported as a warning, not an error). */
export function unknownKeys(raw: Record<string, unknown>): string[] {
  const known = new Set(Object.keys(ConfigSchema.shape));
  return Object.keys(raw).filter((k) => !known.has(k));
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read config file ${path}: ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`config file ${path} is not valid JSON: ${(e as Error).message}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError([`config file ${path} must hold a JSON object`]);
  }
  return data as Record<string, unknown>;
}

/** The password in force: inline, or the first line of password_file. */
export function resolvePassword(cfg: Config): string | null {
  if (cfg.password_file) {
    let text: string;
    try {
      text = readFileSync(cfg.password_file, 'utf8');
    } catch (e) {
      throw new ConfigError([`password_file: cannot read ${cfg.password_file}: ${(e as Error).message}`]);
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new ConfigError([`password_file: ${cfg.password_file} has an empty first line`]);
    return line;
  }
  return cfg.password ?? null;
}

/** Without a password the server listens on loopback only, unless a host is given explicitly. */
export function resolveHost(cfg: Config, password: string | null): string {
  return cfg.host ?? (password === null ? '127.0.0.1' : '0.0.0.0');
}

export function defaultDesktopName(): string {
  return os.hostname();
}
