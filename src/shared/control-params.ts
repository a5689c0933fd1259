import { INVITATION_MAX_MINUTES } from './invitation-contract.js';
import { z } from 'zod';
import { APPROVAL_ANSWERS, CONTROL_EVENTS, type ControlMethod, type ControlParams, type SettingsPatch } from './control-contract.js';
import { IMPORT_CHUNK_MAX_BYTES, IMPORT_MAX_BYTES } from './recording-contract.js';

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
/** Base64 of at most IMPORT_CHUNK_MAX_BYTES bytes (4 characters per 3 bytes, padded). */
const chunkData = z
  .string({ error: 'data must be base64' })
  .max(Math.ceil(IMPORT_CHUNK_MAX_BYTES / 3) * 4, { error: `data must be at most ${IMPORT_CHUNK_MAX_BYTES} bytes (base64)` })
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, { error: 'data must be base64' });
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
  getRecordingInfo: z.strictObject({ name: recordingName }),
  readRecordingSegment: z.strictObject({
    name: recordingName,
    index: z.number({ error: 'index must be a segment number' }).int().min(0).max(1_000_000),
    keyframeOnly: z.boolean({ error: 'keyframeOnly must be true or false' }).optional(),
  }),
  deleteRecording: z.strictObject({ name: recordingName }),
  importRecording: z.strictObject({
    upload: z.string({ error: 'upload must be an upload id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'upload must be an upload id (1 to 64 letters, digits, - or _)' }),
    // Any file name: the folder's name is made from it (app/recording-import.ts), never used as it is.
    name: z.string({ error: 'name must be a file name' }).min(1, { error: 'name must be a file name' }).max(1024, { error: 'name must be a file name' }),
    offset: z.number({ error: 'offset must be a byte offset' }).int().min(0).max(IMPORT_MAX_BYTES),
    data: chunkData,
    last: z.boolean({ error: 'last must be true or false' }),
  }),
  listApprovals: noParams,
  createInvitation: z
    .strictObject({
      validMinutes: z.number({ error: 'validMinutes must be a number of minutes' }).int({ error: 'validMinutes must be a whole number' }).min(1, { error: `validMinutes must be from 1 to ${INVITATION_MAX_MINUTES}` }).max(INVITATION_MAX_MINUTES, { error: `validMinutes must be from 1 to ${INVITATION_MAX_MINUTES}` }).optional(),
      viewOnly: z.boolean({ error: 'viewOnly must be true or false' }).optional(),
      label: z.string({ error: 'label must be text' }).max(100, { error: 'label must be at most 100 characters' }).optional(),
    })
    .optional()
    .transform((p) => p ?? {}),
  listInvitations: noParams,
  connectToViewer: z.strictObject({
    target: z.string({ error: 'target must be host[:port]' }).min(1, { error: 'target must be host[:port]' }).max(300, { error: 'target must be host[:port]' }),
  }),
  listReverseConnections: noParams,
  revokeInvitation: z.strictObject({ id: z.string({ error: 'id must be an invitation id' }).min(1).max(128) }),
  answerApproval: z.strictObject({
    id: z.string({ error: 'id must be a request id' }).min(1, { error: 'id must be a request id' }).max(128, { error: 'id must be a request id' }),
    answer: z.enum(APPROVAL_ANSWERS, { error: `answer must be one of ${APPROVAL_ANSWERS.join(', ')}` }),
  }),
};
