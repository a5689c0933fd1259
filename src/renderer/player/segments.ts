/**
 * Which segment of a recording holds a moment: segment i runs from
 * keyframes[i] up to keyframes[i + 1] (docs/recording-format.md), so a seek
 * decodes the last keyframe at or before the moment and the updates after it.
 */

/** The index of the last keyframe at or before `t` (binary search: keyframes are in order); -1 before the first. */
export function segmentAt(keyframes: readonly number[], t: number): number {
  let lo = 0;
  let hi = keyframes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

