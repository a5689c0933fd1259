import type { MonitorInfo } from '../../shared/control-contract.js';
import { ControlError } from '../../shared/control-contract.js';
import type { X11Monitor } from '../desktop/x11/x11-randr.js';
import { ClippedScreen } from '../desktop/clipped-screen.js';
import type { ControlTarget } from './control-service.js';

/**
 * The monitors of the shared desktop, and which of them the shared area
 * covers: RandR's outputs on X11, the one screen otherwise.
 */
export async function listMonitorsOf(target: ControlTarget, listX11Monitors: (display: string) => Promise<X11Monitor[]>): Promise<MonitorInfo[]> {
  const src = target.source;
  const area = src instanceof ClippedScreen ? { ...src.origin, w: src.width, h: src.height } : { x: 0, y: 0, w: src.width, h: src.height };
  let monitors: X11Monitor[];
  if (src.name.startsWith('x11')) {
    // The display the backend chose; targets that do not say fall back to the settings and $DISPLAY.
    const display = target.backend?.display ?? target.config.display ?? process.env['DISPLAY'];
    if (!display) throw new ControlError('the X display is not known', 'failed');
    try {
      monitors = await listX11Monitors(display);
    } catch (e) {
      throw new ControlError(`cannot list the monitors of ${display}: ${(e as Error).message}`, 'failed');
    }
  } else {
    monitors = [{ name: src.name, x: 0, y: 0, w: src.width, h: src.height, primary: true }];
  }
  return monitors.map((m, index) => ({
    index,
    name: m.name,
    x: m.x,
    y: m.y,
    width: m.w,
    height: m.h,
    primary: m.primary,
    shared: m.x >= area.x && m.y >= area.y && m.x + m.w <= area.x + area.w && m.y + m.h <= area.y + area.h,
  }));
}
