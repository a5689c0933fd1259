import { parentPort } from 'node:worker_threads';
import { EncodeJobRunner, type EncodeJob } from './encode-job.js';

/**
 * An encode worker thread (encode-workers.ts): runs jobs in order and answers
 * each with its payload or its error. A payload in the job's shared `out`
 * goes back as its length alone.
 */
const runner = new EncodeJobRunner();
parentPort?.on('message', (msg: { id: number; job: EncodeJob }) => {
  runner.run(msg.job).then(
    ({ payload, rects }) => {
      const slot = msg.job.out;
      if (slot && payload.buffer === slot.buffer && payload.byteOffset === slot.byteOffset) {
        parentPort?.postMessage({ id: msg.id, written: payload.length, rects });
        return;
      }
      // Hand over a buffer of exactly the payload (never a slice of Node's shared small-buffer pool, which must stay here).
      const own = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : new Uint8Array(payload);
      parentPort?.postMessage({ id: msg.id, payload: own, rects }, [own.buffer as ArrayBuffer]);
    },
    (e: unknown) => parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
