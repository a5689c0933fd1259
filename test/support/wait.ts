/**
 * Resolve with `probe()` once it is truthy, polling every `everyMs`; reject,
 * naming `what`, after `timeoutMs`. Bounded in time and in count.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 5000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  const most = Math.ceil(timeoutMs / everyMs) + 1;
  for (let i = 0; i < most; i++) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
