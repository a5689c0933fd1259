import type { PixelFormatInfo } from '../../shared/control-contract.js';
import type { PixelFormat } from '../rfb/pixel-format.js';

function channelBits(max: number): number {
  return Math.round(Math.log2(max + 1));
}

/** A pixel format for the UI, with a short summary such as "32 bpp, depth 24, RGB888 little-endian". */
export function describePixelFormat(pf: PixelFormat): PixelFormatInfo {
  let layout = 'colour map';
  if (pf.trueColour) {
    const channels = [
      { c: 'R', shift: pf.redShift, bits: channelBits(pf.redMax) },
      { c: 'G', shift: pf.greenShift, bits: channelBits(pf.greenMax) },
      { c: 'B', shift: pf.blueShift, bits: channelBits(pf.blueMax) },
    ].sort((a, b) => b.shift - a.shift);
    layout = channels.map((x) => x.c).join('') + channels.map((x) => x.bits).join('');
  }
  return {
    bitsPerPixel: pf.bitsPerPixel,
    depth: pf.depth,
    bigEndian: pf.bigEndian,
    trueColour: pf.trueColour,
    redMax: pf.redMax,
    greenMax: pf.greenMax,
    blueMax: pf.blueMax,
    redShift: pf.redShift,
    greenShift: pf.greenShift,
    blueShift: pf.blueShift,
    summary: `${pf.bitsPerPixel} bpp, depth ${pf.depth}, ${layout}${pf.bitsPerPixel > 8 ? (pf.bigEndian ? ' big-endian' : ' little-endian') : ''}`,
  };
}
