import type { RecordingListItem, RecordingStatusInfo } from '../../shared/recording-contract.js';

/**
 * What the Recordings page says about recordings and recording, apart from
 * React (the unit tests run it in Node).
 */

export type RecordingState = 'recording now' | 'complete' | 'truncated' | 'not a recording';

/** The list's State column: being written, finished cleanly, or cut short (the server stopped, the disk filled). */
export function recordingState(item: Pick<RecordingListItem, 'kind' | 'live' | 'complete'>): RecordingState {
  if (item.kind === 'unknown') return 'not a recording';
  if (item.live) return 'recording now';
  return item.complete ? 'complete' : 'truncated';
}

export const MODE_LABELS: Record<RecordingStatusInfo['mode'], string> = {
  off: 'Off',
  'while-viewed': 'While viewed',
  manual: 'Manual',
};

/** What the Record setting means, in a sentence. */
export function modeDescription(mode: RecordingStatusInfo['mode']): string {
  switch (mode) {
    case 'off':
      return 'Nothing is recorded unless you start a recording here.';
    case 'while-viewed':
      return 'A recording runs whenever a viewer is connected, one file per visit.';
    case 'manual':
      return 'Recordings run when you start them.';
  }
}

/** Whether typed keys and clipboard text go into recordings (both off by default, so passwords stay out of files). */
export function privacyNote(status: Pick<RecordingStatusInfo, 'keys' | 'clipboardText'>): string {
  const { keys, clipboardText } = status;
  if (!keys && !clipboardText) return 'Typed keys and clipboard text are not recorded.';
  if (keys && clipboardText) return 'Typed keys and clipboard text are recorded: passwords typed while recording end up in the file.';
  if (keys) return 'Typed keys are recorded (passwords typed while recording end up in the file); clipboard text is not.';
  return 'Clipboard text is recorded; typed keys are not.';
}

/** "trayvnc-20261206-215800.vnc.gz" → "trayvnc-20261206-215800.webm". */
export function videoFileName(recordingName: string): string {
  const base = /\.vnc\.gz$/.test(recordingName) ? recordingName.slice(0, -'.vnc.gz'.length) : recordingName.replace(/\.[^.]*$/, '');
  return `${base || 'recording'}.webm`;
}
