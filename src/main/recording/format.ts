// Placeholder with the agreed types; replaced by the full module from the recording-io branch.
import type { PixelFormat } from '../../shared/pixel-format.js';
export interface RecordingHeader { format: 'trayvnc-recording'; version: 1; server: string; startedAt: string; width: number; height: number;
  pixelFormat: PixelFormat; frameRate: number; host: string; desktopName: string; keys: boolean; clipboardText: boolean }
export type RecordingEvent =
  | { kind: 'connect'; client: string; address: string; viewOnly: boolean }
  | { kind: 'disconnect'; client: string; address: string; reason: string }
  | { kind: 'control'; client: string; address: string; viewOnly: boolean }
  | { kind: 'pointer'; client: string; x: number; y: number; buttons: number }
  | { kind: 'key'; client: string; keysym: number; down: boolean }
  | { kind: 'clipboard'; direction: 'from-viewer' | 'to-viewers'; client?: string; bytes: number; text?: string }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'marker'; label: string }
  | { kind: 'error'; message: string };
