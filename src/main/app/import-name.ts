/**
 * The name an imported recording gets in the recordings folder, made from
 * the name it had where it came from. Only the last part of a path is kept,
 * only letters, digits, '.', '_' and '-' (anything else becomes '-'), never
 * '..', never a leading dot (no hidden files) and always the `.vnc.gz`
 * ending, so the result is a name the recordings list accepts
 * (recording-library.ts) and can reach nothing outside the folder.
 */

const SUFFIX = '.vnc.gz';
/** Room for "-1000" and the suffix within the list's 200-character names. */
const MAX_STEM = 120;

export function importName(original: string): string {
  const last = original.split(/[/\\]/).pop() ?? '';
  const stem = last
    .replace(/\.vnc\.gz$/i, '')
    .replace(/\.gz$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    // A name starts with a letter or a digit (not hidden, not an option) and does not end in a dot before the suffix.
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_STEM)
    .replace(/[._-]+$/, '');
  return `${stem || 'recording'}${SUFFIX}`;
}

/** `name` for n = 1, then `stem-2.vnc.gz`, `stem-3.vnc.gz`, … */
export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  return `${name.slice(0, -SUFFIX.length)}-${n}${SUFFIX}`;
}
