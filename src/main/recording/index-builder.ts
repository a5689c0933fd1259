import type { RecordingEvent, RecordingIndex, ViewerSummary } from './format.js';

/**
 * The counts an INDEX holds, kept as records go by: the writer keeps them
 * while recording, and the reader rebuilds them the same way from a file cut
 * short, so both say the same about the same records.
 */
export class IndexBuilder {
  readonly keyframes: Array<{ t: number; offset: number }> = [];
  updates = 0;
  private readonly eventCounts = new Map<string, number>();
  /** By client id, in the order viewers first appeared. */
  private readonly viewers = new Map<string, ViewerSummary>();

  keyframe(t: number, offset: number): void {
    this.keyframes.push({ t, offset });
  }

  update(): void {
    this.updates++;
  }

  event(event: RecordingEvent): void {
    this.eventCounts.set(event.kind, (this.eventCounts.get(event.kind) ?? 0) + 1);
    switch (event.kind) {
      case 'connect':
        this.viewer(event.client, event.address).connects++;
        break;
      case 'pointer':
        this.viewer(event.client).pointer++;
        break;
      case 'key':
        this.viewer(event.client).keys++;
        break;
      case 'clipboard':
        // Only what a viewer sent is that viewer's doing; the server's own clipboard goes to everyone.
        if (event.direction === 'from-viewer' && event.client !== undefined) this.viewer(event.client).clipboard++;
        break;
      case 'disconnect':
      case 'control':
        // They count as events; they also tell an address when the connect was not seen.
        this.viewer(event.client, event.address);
        break;
      default:
        break;
    }
  }

  /** Total events of every kind. */
  get events(): number {
    let n = 0;
    for (const c of this.eventCounts.values()) n += c;
    return n;
  }

  build(durationMs: number): RecordingIndex {
    return {
      keyframes: this.keyframes.map((k) => ({ ...k })),
      durationMs,
      updates: this.updates,
      events: Object.fromEntries(this.eventCounts),
      viewers: [...this.viewers.values()].map((v) => ({ ...v })),
    };
  }

  private viewer(client: string, address?: string): ViewerSummary {
    let v = this.viewers.get(client);
    if (!v) {
      v = { client, address: address ?? '', connects: 0, pointer: 0, keys: 0, clipboard: 0 };
      this.viewers.set(client, v);
    } else if (address && !v.address) {
      v.address = address;
    }
    return v;
  }
}
