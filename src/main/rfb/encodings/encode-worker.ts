import { parentPort } from 'node:worker_threads';
import { EncodeJobRunner, type EncodeJob } from './encode-job.js';

/**
 * An encode worker thread (encode-workers.ts): runs jobs in order and answers
 * each with its payload or its error, handing the job's pixel buffer back
 * (it is one of the pool's slots, transferred here with the job).
 */
const runner = new EncodeJobRunner();
parentPort?.on('message', (msg: { id: number; job: EncodeJob }) => {
  const pixels = msg.job.pixels.buffer as ArrayBuffer;
  runner.run(msg.job).then(
    ({ payload, rects }) => {
      // Hand over a buffer of exactly the payload (never a slice of Node's shared small-buffer pool, which must stay here).
      const own = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : new Uint8Array(payload);
      parentPort?.postMessage({ id: msg.id, payload: own, rects, pixels }, [own.buffer as ArrayBuffer, pixels]);
    },
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e), pixels }, [pixels]),
  );
});
