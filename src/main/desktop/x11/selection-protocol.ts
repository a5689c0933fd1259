import type { X11Connection } from './x11-connection.js';

/**
 * The X protocol numbers the clipboard speaks (core requests, events and
 * predefined atoms), and the atoms it interns by name: the ICCCM targets it
 * serves and asks for, and the properties of its own window.
 */

export const NONE = 0;
export const CURRENT_TIME = 0;
export const ANY_PROPERTY_TYPE = 0;
export const PROP_MODE_REPLACE = 0;
export const PROP_MODE_APPEND = 2;
export const PROPERTY_NEW_VALUE = 0;
export const PROPERTY_DELETED = 1;
export const PROPERTY_CHANGE_MASK = 0x00400000;
export const INPUT_ONLY = 2;
export const XFIXES_SET_SELECTION_OWNER = 0;

// core event types
export const PROPERTY_NOTIFY = 28;
export const SELECTION_CLEAR = 29;
export const SELECTION_REQUEST = 30;
export const SELECTION_NOTIFY = 31;

// predefined atoms
export const XA_PRIMARY = 1;
export const XA_ATOM = 4;
export const XA_INTEGER = 19;
export const XA_STRING = 31;

export interface Atoms {
  CLIPBOARD: number;
  TARGETS: number;
  MULTIPLE: number;
  TIMESTAMP: number;
  UTF8_STRING: number;
  TEXT: number;
  TEXT_PLAIN_UTF8: number;
  INCR: number;
  ATOM_PAIR: number;
  /** Properties on our window that conversions land in, one per selection. */
  PROP_CLIPBOARD: number;
  PROP_PRIMARY: number;
  /** Zero-length appends to this one fetch a server timestamp. */
  PROP_TIME: number;
}

const ATOM_NAMES: Record<keyof Atoms, string> = {
  CLIPBOARD: 'CLIPBOARD',
  TARGETS: 'TARGETS',
  MULTIPLE: 'MULTIPLE',
  TIMESTAMP: 'TIMESTAMP',
  UTF8_STRING: 'UTF8_STRING',
  TEXT: 'TEXT',
  TEXT_PLAIN_UTF8: 'text/plain;charset=utf-8',
  INCR: 'INCR',
  ATOM_PAIR: 'ATOM_PAIR',
  PROP_CLIPBOARD: '_TRAYVNC_SEL_CLIPBOARD',
  PROP_PRIMARY: '_TRAYVNC_SEL_PRIMARY',
  PROP_TIME: '_TRAYVNC_TIMESTAMP',
};

/** Intern every atom the clipboard uses (the requests are pipelined: one round trip). */
export async function internAtoms(conn: X11Connection): Promise<Atoms> {
  const client = conn.client;
  const names = Object.keys(ATOM_NAMES) as Array<keyof Atoms>;
  const ids = await Promise.all(names.map((k) => conn.request<number>((cb) => client.InternAtom(false, ATOM_NAMES[k], cb))));
  const atoms = {} as Atoms;
  names.forEach((k, i) => (atoms[k] = ids[i] ?? NONE));
  return atoms;
}

/** 32-bit values as a format-32 property carries them. */
export function u32s(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4));
  return b;
}
