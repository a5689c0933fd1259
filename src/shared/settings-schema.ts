import { z } from 'zod';

/**
 * The settings schema: the configuration file's keys, their types, ranges,
 * defaults and the messages that name each field. One schema serves the config
 * file, the command line (after flags are merged in), the control API's
 * updateSettings and the settings form in the renderer, so a value is refused
 * with the same words wherever it comes from.
 *
 * This module must stay loadable in a sandboxed renderer: zod only, no Node
 * modules.
 */

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
export const SettingsSchema = z.object({
  host: z.string().min(1, { error: 'host must be an address such as 127.0.0.1 or 0.0.0.0' }).optional(),
  port: intIn('port', 0, 65535).default(5900),
  websocket_port: intIn('websocket_port', 0, 65535).optional(),
  /** The headless dashboard: its web page and the control API over WebSocket; off when unset. */
  dashboard_port: intIn('dashboard_port', 0, 65535).optional(),
  /** Address the dashboard listens on (default 127.0.0.1, whatever `host` is). */
  dashboard_host: z.string().min(1, { error: 'dashboard_host must be an address such as 127.0.0.1 or 0.0.0.0' }).optional(),
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
  /** Address /metrics listens on (default 127.0.0.1). */
  metrics_host: z.string().min(1, { error: 'metrics_host must be an address such as 127.0.0.1 or 0.0.0.0' }).optional(),
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
  dashboard_port: 'Dashboard port',
  dashboard_host: 'Dashboard address',
  password: 'Password',
  password_file: 'Password file',
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
};

/** Messages per offending field; the key `settings` holds problems with the whole object. */
export type FieldErrors = Record<string, string[]>;

/** Minimal view of a zod issue, so callers need not depend on zod's types. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Group zod issues by top-level field; each message names its field. */
export function fieldErrorsFromIssues(issues: readonly IssueLike[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const field = i.path.map(String).join('.') || 'settings';
    const key = i.path.length > 0 ? String(i.path[0]) : 'settings';
    const message = i.message.startsWith(field) ? i.message : `${field}: ${i.message}`;
    (out[key] ??= []).push(message);
  }
  return out;
}

/** One line per problem, as the CLI prints them ("port must be a whole number from 0 to 65535"). */
export function fieldErrorLines(errors: FieldErrors): string[] {
  return Object.values(errors).flat();
}

export type SettingsValidation = { ok: true; settings: Settings } | { ok: false; fieldErrors: FieldErrors };

/** Validate raw settings (a whole file or form); problems come back per field. */
export function validateSettings(raw: unknown): SettingsValidation {
  const result = SettingsSchema.safeParse(raw);
  return result.success ? { ok: true, settings: result.data } : { ok: false, fieldErrors: fieldErrorsFromIssues(result.error.issues) };
}
