/**
 * The player's keyboard shortcuts: Space plays or pauses, ← and → move 5 s,
 * Home and End go to the start and the end. Keys typed into a text box or a
 * menu stay theirs, and Space on a button presses that button.
 */

export type PlayerCommand = { kind: 'toggle' } | { kind: 'seekBy'; ms: number } | { kind: 'seekTo'; where: 'start' | 'end' };

/** What has the focus, as far as the shortcuts care. */
export type FocusKind = 'text' | 'select' | 'button' | 'other';

export const STEP_MS = 5000;

export function shortcutFor(key: string, focus: FocusKind): PlayerCommand | null {
  if (focus === 'text' || focus === 'select') return null;
  switch (key) {
    case ' ':
    case 'Spacebar':
      return focus === 'button' ? null : { kind: 'toggle' };
    case 'ArrowLeft':
      return { kind: 'seekBy', ms: -STEP_MS };
    case 'ArrowRight':
      return { kind: 'seekBy', ms: STEP_MS };
    case 'Home':
      return { kind: 'seekTo', where: 'start' };
    case 'End':
      return { kind: 'seekTo', where: 'end' };
    default:
      return null;
  }
}
