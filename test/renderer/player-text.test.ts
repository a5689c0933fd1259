import { describe, expect, it } from 'vitest';
import type { RecordingTimelineEvent } from '../../src/shared/recording-contract.js';
import { heatLevels } from '../../src/renderer/player/heatmap.js';
import { segmentAt } from '../../src/renderer/player/segments.js';
import { shortcutFor } from '../../src/renderer/player/shortcuts.js';
import { formatLength, formatPlayTime, formatSpeed } from '../../src/renderer/player/time-format.js';
import { currentEventIndex, searchTimeline } from '../../src/renderer/player/timeline-search.js';
import { modeDescription, privacyNote, recordingState, videoFileName } from '../../src/renderer/recordings/recording-text.js';

describe('which segment holds a moment', () => {
  const keyframes = [0, 10_000, 20_500, 31_000];

  it('is the last keyframe at or before it', () => {
    expect(segmentAt(keyframes, 0)).toBe(0);
    expect(segmentAt(keyframes, 9999)).toBe(0);
    expect(segmentAt(keyframes, 10_000)).toBe(1);
    expect(segmentAt(keyframes, 20_499)).toBe(1);
    expect(segmentAt(keyframes, 20_500)).toBe(2);
    expect(segmentAt(keyframes, 1e9)).toBe(3);
  });

  it('is none before the first keyframe, or without keyframes', () => {
    expect(segmentAt([250, 900], 100)).toBe(-1);
    expect(segmentAt([], 0)).toBe(-1);
  });

  it('agrees with a linear search on many keyframe lists', () => {
    for (let n = 1; n < 40; n++) {
      const ks = Array.from({ length: n }, (_, i) => i * 1000 + (i % 3) * 7);
      for (let t = -500; t < n * 1000 + 500; t += 137) {
        const linear = ks.reduce((found, k, i) => (k <= t ? i : found), -1);
        expect(segmentAt(ks, t), `${n} keyframes, t=${t}`).toBe(linear);
      }
    }
  });
});

describe('times as the player shows them', () => {
  it('shows a position as m:ss, or h:mm:ss past an hour, never ahead of the picture', () => {
    expect(formatPlayTime(0)).toBe('0:00');
    expect(formatPlayTime(999)).toBe('0:00');
    expect(formatPlayTime(7000)).toBe('0:07');
    expect(formatPlayTime(754_900)).toBe('12:34');
    expect(formatPlayTime(3_723_000)).toBe('1:02:03');
    expect(formatPlayTime(-5)).toBe('0:00');
    expect(formatPlayTime(Number.NaN)).toBe('0:00');
  });

  it('gives a length in words', () => {
    expect(formatLength(4200)).toBe('4 s');
    expect(formatLength(10_900)).toBe('10 s'); // as the player's clock shows its end: 0:10
    expect(formatLength(125_000)).toBe('2 min 5 s');
    expect(formatLength(120_000)).toBe('2 min');
    expect(formatLength(3_780_000)).toBe('1 h 3 min');
    expect(formatLength(7_200_000)).toBe('2 h');
    expect(formatLength(-1)).toBe('—');
    expect(formatSpeed(0.25)).toBe('0.25×');
    expect(formatSpeed(16)).toBe('16×');
  });
});

describe('the timeline search', () => {
  const events: RecordingTimelineEvent[] = [
    { t: 1000, kind: 'connect', label: '10.0.0.7:51234 joined', client: 'c1' },
    { t: 5000, kind: 'keys', label: '10.0.0.7:51234 typed: Hello<Enter>', client: 'c1' },
    { t: 65_000, kind: 'clipboard', label: 'clipboard from 10.0.0.7:51234, 42 bytes', client: 'c1' },
    { t: 70_000, kind: 'resize', label: 'desktop resized to 800×600' },
    { t: 90_000, kind: 'disconnect', label: '10.0.0.7:51234 left: viewer closed the connection', client: 'c1' },
  ];

  it('keeps everything for an empty query', () => {
    expect(searchTimeline(events, '')).toEqual(events);
    expect(searchTimeline(events, '   ')).toEqual(events);
  });

  it('finds words in labels, in any case and order', () => {
    expect(searchTimeline(events, 'HELLO').map((e) => e.t)).toEqual([5000]);
    expect(searchTimeline(events, 'bytes clipboard').map((e) => e.t)).toEqual([65_000]);
    expect(searchTimeline(events, '10.0.0.7 left').map((e) => e.t)).toEqual([90_000]);
    expect(searchTimeline(events, 'joined typed')).toEqual([]);
  });

  it('finds events by their tag and by their time', () => {
    expect(searchTimeline(events, 'viewer').map((e) => e.t)).toEqual([1000, 90_000]);
    expect(searchTimeline(events, 'resize').map((e) => e.t)).toEqual([70_000]);
    expect(searchTimeline(events, '1:05').map((e) => e.t)).toEqual([65_000]);
  });

  it('marks the last event at or before the position as current', () => {
    expect(currentEventIndex(events, 0)).toBe(-1);
    expect(currentEventIndex(events, 1000)).toBe(0);
    expect(currentEventIndex(events, 69_999)).toBe(2);
    expect(currentEventIndex(events, 1e9)).toBe(4);
  });
});

describe('the heat-map along the seek bar', () => {
  it('scales to the busiest stretch, with quiet seconds left empty', () => {
    const levels = heatLevels([0, 4, 0, 16], 4000, 4);
    expect(levels).toEqual([0, 0.5, 0, 1]);
  });

  it('keeps the busiest second of a bin when seconds outnumber bins', () => {
    const activity = [1, 9, 0, 0, 0, 0, 0, 0, 0, 9];
    expect(heatLevels(activity, 10_000, 2)).toEqual([1, 1]);
    expect(heatLevels([0, 0, 0, 0, 1], 5000, 2)).toEqual([0, 1]);
  });

  it('spreads a short recording over the bins, and is empty with nothing to show', () => {
    expect(heatLevels([1, 0], 2000, 4)).toEqual([1, 1, 0, 0]);
    expect(heatLevels([], 0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(heatLevels([0, 0], 2000, 3)).toEqual([0, 0, 0]);
    expect(heatLevels([3], 1000, 0)).toEqual([]);
  });
});

describe('keyboard shortcuts', () => {
  it('plays, pauses and moves from the picture or the seek bar', () => {
    expect(shortcutFor(' ', 'other')).toEqual({ kind: 'toggle' });
    expect(shortcutFor('ArrowLeft', 'other')).toEqual({ kind: 'seekBy', ms: -5000 });
    expect(shortcutFor('ArrowRight', 'button')).toEqual({ kind: 'seekBy', ms: 5000 });
    expect(shortcutFor('Home', 'other')).toEqual({ kind: 'seekTo', where: 'start' });
    expect(shortcutFor('End', 'other')).toEqual({ kind: 'seekTo', where: 'end' });
    expect(shortcutFor('a', 'other')).toBeNull();
  });

  it('leaves keys to text boxes and menus, and Space to buttons', () => {
    expect(shortcutFor(' ', 'text')).toBeNull();
    expect(shortcutFor('ArrowLeft', 'text')).toBeNull();
    expect(shortcutFor('End', 'select')).toBeNull();
    expect(shortcutFor(' ', 'button')).toBeNull();
  });
});

describe('what the Recordings page says', () => {
  it('names the state of each file', () => {
    expect(recordingState({ kind: 'trayvnc', live: true, complete: false })).toBe('recording now');
    expect(recordingState({ kind: 'trayvnc', live: false, complete: true })).toBe('complete');
    expect(recordingState({ kind: 'trayvnc', live: false, complete: false })).toBe('truncated');
    expect(recordingState({ kind: 'pyvncserver', live: false, complete: true })).toBe('complete');
    expect(recordingState({ kind: 'unknown', live: false, complete: false })).toBe('not a recording');
  });

  it('says whether typed keys and clipboard text are recorded', () => {
    expect(privacyNote({ keys: false, clipboardText: false })).toBe('Typed keys and clipboard text are not recorded.');
    expect(privacyNote({ keys: true, clipboardText: false })).toMatch(/^Typed keys are recorded .*clipboard text is not\.$/);
    expect(privacyNote({ keys: false, clipboardText: true })).toBe('Clipboard text is recorded; typed keys are not.');
    expect(privacyNote({ keys: true, clipboardText: true })).toMatch(/^Typed keys and clipboard text are recorded/);
    expect(modeDescription('while-viewed')).toMatch(/viewer is connected/);
  });

  it('names the exported video after the recording', () => {
    expect(videoFileName('trayvnc-20261206-215800.vnc.gz')).toBe('trayvnc-20261206-215800.webm');
    expect(videoFileName('session.2.vnc.gz')).toBe('session.2.webm');
    expect(videoFileName('old.fbs')).toBe('old.webm');
    expect(videoFileName('.vnc.gz')).toBe('recording.webm');
  });
});
