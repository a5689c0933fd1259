import { memo, useMemo, useState } from 'react';
import type { RecordingTimelineEvent } from '../../shared/recording-contract.js';
import { formatPlayTime } from './time-format.js';
import { EVENT_KIND_NAMES, searchTimeline } from './timeline-search.js';

interface TimelinePanelProps {
  events: readonly RecordingTimelineEvent[];
  /** The event at or before the position (marked as current), or null. */
  current: RecordingTimelineEvent | null;
  /** Absent: the events are shown but cannot be played (a recording with no pictures). */
  onSeek?: (t: number) => void;
}

/**
 * What happened in the recording — viewers joining and leaving, control,
 * clipboard, typed text, resizes — with a search box; choosing an event
 * moves the player there.
 */
export const TimelinePanel = memo(function TimelinePanel({ events, current, onSeek }: TimelinePanelProps) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => searchTimeline(events, query), [events, query]);
  return (
    <section className="timeline" aria-labelledby="timeline-heading">
      <div className="timeline-head">
        <h3 id="timeline-heading">Timeline</h3>
        <input
          type="search"
          className="input timeline-search"
          aria-label="Search the timeline"
          placeholder="Search: joined, typed, clipboard, 1:05…"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      <p className="muted timeline-count" aria-live="polite">
        {query ? `${shown.length} of ${events.length} events match.` : events.length === 0 ? 'Nothing happened worth a line: no viewer came or went.' : `${events.length} events.`}
      </p>
      <ol className="timeline-list" aria-label="Events">
        {shown.map((e, i) => (
          <li key={`${e.t}-${i}`} className={`timeline-item kind-${e.kind}`} aria-current={e === current ? 'true' : undefined}>
            {onSeek ? (
              <button type="button" className="timeline-event" onClick={() => onSeek(e.t)}>
                <EventText event={e} />
              </button>
            ) : (
              <div className="timeline-event">
                <EventText event={e} />
              </div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
});

function EventText({ event }: { event: RecordingTimelineEvent }) {
  return (
    <>
      <time className="timeline-time">{formatPlayTime(event.t)}</time>
      <span className="timeline-kind">{EVENT_KIND_NAMES[event.kind]}</span>
      <span className="timeline-label">{event.label}</span>
    </>
  );
}
