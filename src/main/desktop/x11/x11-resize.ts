import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ExtendedDesktopSize status codes (rfbproto). */
export const ResizeStatus = { Done: 0, Prohibited: 1, OutOfResources: 2, InvalidLayout: 3 } as const;

async function xrandr(display: string, args: string[]): Promise<string> {
  const { stdout } = await run('xrandr', ['-display', display, ...args], { timeout: 5000 });
  return stdout;
}

/**
 * Change an X display's size through RandR, the way a user would with
 * `xrandr`: pick or create a mode of that size on the first connected output
 * and switch to it. Servers that cannot (a fixed-size real monitor, a
 * display beyond its maximum) answer with a refusal status, never a crash.
 */
export async function resizeX11Display(display: string, width: number, height: number): Promise<number> {
  let state: string;
  try {
    state = await xrandr(display, ['--query']);
  } catch {
    return ResizeStatus.Prohibited; // no xrandr, or no RandR on this server
  }
  const max = /maximum (\d+) x (\d+)/.exec(state);
  if (max && (width > Number(max[1]) || height > Number(max[2]))) return ResizeStatus.InvalidLayout;
  const output = /^(\S+) connected/m.exec(state)?.[1];
  if (!output) return ResizeStatus.Prohibited;
  let mode = new RegExp(`^\\s+(${width}x${height}(?:_\\S+)?)\\s`, 'm').exec(state)?.[1];
  try {
    if (!mode) {
      mode = `${width}x${height}_trayvnc`;
      // Timings are nominal: virtual and dummy outputs accept any; real monitors refuse below.
      await xrandr(display, ['--newmode', mode, '60', `${width}`, `${width + 1}`, `${width + 2}`, `${width + 3}`, `${height}`, `${height + 1}`, `${height + 2}`, `${height + 3}`]);
      await xrandr(display, ['--addmode', output, mode]);
    }
    await xrandr(display, ['--output', output, '--mode', mode]);
    return ResizeStatus.Done;
  } catch {
    return ResizeStatus.OutOfResources;
  }
}
