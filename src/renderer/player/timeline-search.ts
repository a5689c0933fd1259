import type { RecordingTimelineEvent } from '../../shared/recording-contract.js';
import { formatPlayTime } from './time-format.js';

/** The tag each kind of event wears on the timeline (the search finds events by it too). */
export const EVENT_KIND_NAMES: Record<RecordingTimelineEvent['kind'], string> = {
  connect: 'viewer',
  disconnect: 'viewer',
  control: 'control',
  keys: 'keys',
  clipboard: 'clipboard',
  resize: 'resize',
  marker: 'marker',
  error: 'error',
  update: 'screen',
};

/** The text an event is searched in: its label, its kind's name and its time ("0:42"). */
export function searchText(e: RecordingTimelineEvent): string {
  return `${e.label} ${EVENT_KIND_NAMES[e.kind]} ${formatPlayTime(e.t)}`.toLowerCase();
}

/**
 * The events that match `query`: every word of it (case-insensitive) appears
 * in the event's label, kind or time, in any order. An empty query keeps all.
 */
export function searchTimeline(events: readonly RecordingTimelineEvent[], query: string): RecordingTimelineEvent[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...events];
  return events.filter((e) => {
    const text = searchText(e);
    return words.every((w) => text.includes(w));
  });
}

/** The index (in `events`, in time order) of the last event at or before `t`, or -1: the one the timeline marks as current. */
export function currentEventIndex(events: readonly RecordingTimelineEvent[], t: number): number {
  let found = -1;
  for (let i = 0; i < events.length && events[i]!.t <= t; i++) found = i;
  return found;
}
