import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listText, pyVncInfoText, size, clock, trayVncInfoText, type ListRow } from './cli-recording-text.js';
import { exportFbs } from './recording/fbs-export.js';
import { pyVncInfo, type PyVncInfo } from './recording/pyvnc-info.js';
import { recordingKind } from './recording/pyvnc-recording.js';
import { RecordingReader, type RecordingInfo } from './recording/reader.js';
import { RecordingError } from './recording/recording-file.js';

/**
 * `trayvnc recording info|list|export`: what a recording holds, the
 * recordings in a folder, and a recording as an FBS file. Failures that are
 * the file's (missing, not a recording, damaged) throw with a one-line
 * message; cli.ts prints it and exits 1.
 */

export const RECORDING_USAGE = `Usage:
  trayvnc recording info FILE [--json]       what a recording holds; complete or cut short
  trayvnc recording list DIR [--json]        the .vnc.gz recordings in a folder, newest first
  trayvnc recording export FILE --to fbs OUT [--force]
                                             as an FBS 001.001 file; --force replaces OUT
`;

/** The command line was wrong (not the file): exit 2, with the usage. */
class UsageError extends Error {}

const OPTIONS = {
  json: { type: 'boolean' },
  to: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Run `trayvnc recording …` (argv after "recording"); resolves to the exit code. */
export async function recordingCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (sub === undefined) throw new UsageError('say which: info, list or export');
    if (sub === 'help' || sub === '--help' || sub === '-h' || parsed.values.help) {
      process.stdout.write(RECORDING_USAGE);
      return 0;
    }
    const { values, positionals } = parsed;
    const only = (allowed: Array<keyof typeof OPTIONS>) => {
      for (const k of Object.keys(values) as Array<keyof typeof OPTIONS>) {
        if (!allowed.includes(k)) throw new UsageError(`--${k} does not go with "recording ${sub}"`);
      }
    };
    const one = (what: string) => {
      if (positionals.length !== 1) throw new UsageError(`"recording ${sub}" takes one ${what}`);
      return positionals[0]!;
    };
    switch (sub) {
      case 'info':
        only(['json']);
        return await info(one('FILE'), values.json === true);
      case 'list':
        only(['json']);
        return await list(one('DIR'), values.json === true);
      case 'export': {
        only(['to', 'force']);
        if (values.to !== 'fbs') throw new UsageError(values.to === undefined ? 'say what to export to: --to fbs' : `cannot export to "${values.to}": only --to fbs`);
        if (positionals.length !== 2) throw new UsageError('"recording export" takes FILE and OUT');
        return await exportTo(positionals[0]!, positionals[1]!, values.force === true);
      }
      default:
        throw new UsageError(`unknown command "recording ${sub}"`);
    }
  } catch (e) {
    const usage = e instanceof UsageError || (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'));
    if (!usage) throw e;
    process.stderr.write(`trayvnc: ${(e as Error).message}\n\n${RECORDING_USAGE}`);
    return 2;
  }
}

/** The summary of either format; a file that is neither is an error with one line that says so. */
async function summary(path: string): Promise<RecordingInfo | PyVncInfo> {
  const kind = await recordingKind(path);
  if (kind === 'pyvncserver') return pyVncInfo(path);
  if (kind === 'unknown') {
    const empty = (await stat(path)).size === 0;
    throw new RecordingError(`${path} is not a recording (neither TrayVNC's nor PyVNCServer's .vnc.gz)${empty ? ': the file is empty' : ''}`, 'EFORMAT');
  }
  const reader = await RecordingReader.open(path);
  try {
    return reader.info();
  } finally {
    await reader.close();
  }
}

const isPyVnc = (s: RecordingInfo | PyVncInfo): s is PyVncInfo => 'kind' in s && s.kind === 'pyvncserver';

async function info(path: string, json: boolean): Promise<number> {
  const s = await summary(path);
  if (json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else process.stdout.write(isPyVnc(s) ? pyVncInfoText(s) : trayVncInfoText(s));
  return 0;
}

async function list(dir: string, json: boolean): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() && d.name.endsWith('.vnc.gz')).map((d) => d.name);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such folder' : code === 'ENOTDIR' ? 'it is not a folder' : (e as Error).message;
    throw new RecordingError(`cannot list ${dir}: ${why}`, code ?? 'EUNKNOWN', { cause: e });
  }
  // One at a time: a truncated recording is read through to be summed up, and a folder may hold many.
  const rows: ListRow[] = [];
  for (const name of names) rows.push(await listRow(join(dir, name), name));
  rows.sort((a, b) => Date.parse(b.date) - Date.parse(a.date) || a.file.localeCompare(b.file));
  if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(rows.length ? listText(rows) : `no recordings (.vnc.gz) in ${dir}\n`);
  return 0;
}

async function listRow(path: string, file: string): Promise<ListRow> {
  const st = await stat(path);
  const base = { file, bytes: st.size, date: st.mtime.toISOString() };
  try {
    const s = await summary(path);
    if (isPyVnc(s)) {
      // A PyVNCServer recording is one viewer's session.
      const date = Number.isNaN(Date.parse(s.header.startTime)) ? base.date : new Date(s.header.startTime).toISOString();
      return { ...base, kind: 'pyvncserver', date, durationMs: s.durationMs, viewers: 1, complete: s.complete, truncatedAtMs: s.truncatedAtMs, problem: null };
    }
    const date = Number.isNaN(Date.parse(s.header.startedAt)) ? base.date : new Date(s.header.startedAt).toISOString();
    return { ...base, kind: 'trayvnc', date, durationMs: s.durationMs, viewers: s.viewers.length, complete: s.complete, truncatedAtMs: s.truncatedAtMs, problem: null };
  } catch (e) {
    const kind = await recordingKind(path).catch(() => 'unknown' as const);
    // The row names the file already: the message without it.
    const problem = kind === 'unknown' ? 'not a recording' : `damaged: ${(e as Error).message.replace(`${path}: `, '')}`;
    return { ...base, kind, durationMs: null, viewers: null, complete: null, truncatedAtMs: null, problem };
  }
}

async function exportTo(source: string, target: string, force: boolean): Promise<number> {
  let s;
  try {
    s = await exportFbs(source, target, { force });
  } catch (e) {
    if (e instanceof RecordingError && e.code === 'EEXIST') throw new RecordingError(`${e.message} (--force replaces it)`, e.code, { cause: e });
    throw e;
  }
  process.stdout.write(`wrote ${target}: FBS 001.001, ${s.updates} updates over ${clock(s.lastMs)}, ${size(s.bytes)}\n`);
  if (s.truncatedAtMs !== null) process.stdout.write(`the recording was cut short: exported up to ${clock(s.truncatedAtMs)}\n`);
  return 0;
}
