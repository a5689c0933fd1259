import { z } from 'zod';
import { CONTROL_EVENTS, type ControlMethod, type ControlParams, type SettingsPatch } from './control-contract.js';

/**
 * Params validation for every method of the control API, applied where
 * requests arrive (ControlConnection in the main process). Kept apart from
 * the contract so the preload bundle does not carry zod.
 */

const noParams = z
  .union([z.undefined(), z.null(), z.strictObject({})], { error: 'this method takes no params' })
  .transform((): void => undefined);
const clientId = z.string({ error: 'id must be a client id' }).min(1, { error: 'id must be a client id' }).max(128, { error: 'id must be a client id' });
const recordingName = z.string({ error: 'name must be a recording name' }).min(1).max(256, { error: 'name must be a recording name' });
const eventName = z.enum(CONTROL_EVENTS, { error: `event must be one of ${CONTROL_EVENTS.join(', ')}` });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Params schema per method; values that pass are the method's params type. */
export const CONTROL_PARAMS: { [M in ControlMethod]: z.ZodType<ControlParams<M>, unknown> } = {
  getState: noParams,
  getSettings: noParams,
  // Each field is checked by the settings schema, after merging, so errors name the field.
  updateSettings: z.custom<SettingsPatch>(isPlainObject, { error: 'params must be an object of settings' }),
  listClients: noParams,
  disconnectClient: z.strictObject({ id: clientId }),
  setClientControl: z.strictObject({ id: clientId, control: z.boolean({ error: 'control must be true or false' }) }),
  listMonitors: noParams,
  subscribe: z.strictObject({ event: eventName }),
  unsubscribe: z.strictObject({ event: eventName }),
  getRecordingStatus: noParams,
  startRecording: noParams,
  stopRecording: noParams,
  listRecordings: noParams,
  getRecording: z.strictObject({ name: recordingName }),
  readRecordingSegment: z.strictObject({ name: recordingName, index: z.number({ error: 'index must be a segment number' }).int().min(0).max(1_000_000) }),
  deleteRecording: z.strictObject({ name: recordingName }),
};
