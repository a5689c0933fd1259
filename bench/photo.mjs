// Photo-like pictures for the benchmark desktop, computed here from a seed
// (nothing is downloaded): smooth colour gradients modulated by value-noise
// "plasma" over several octaves, plus a little per-pixel grain as a camera
// sensor leaves. Such pictures have few repeated colours and no flat areas,
// which is what makes photos and video expensive for lossless encoders.

/** A seeded PRNG (mulberry32): the same seed gives the same picture everywhere. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function grainHash(x, y, seed) {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) & 0xff;
}

const LATTICE = 256;

/** Smooth value noise in [0, 1) over a 256×256 lattice of seeded values (wraps around). */
function valueNoise(seed) {
  const rnd = mulberry32(seed);
  const t = new Float32Array(LATTICE * LATTICE);
  for (let i = 0; i < t.length; i++) t[i] = rnd();
  return (x, y) => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = x - xi;
    const fy = y - yi;
    const u = fx * fx * (3 - 2 * fx);
    const v = fy * fy * (3 - 2 * fy);
    const x0 = xi & (LATTICE - 1);
    const x1 = (xi + 1) & (LATTICE - 1);
    const y0 = (yi & (LATTICE - 1)) * LATTICE;
    const y1 = ((yi + 1) & (LATTICE - 1)) * LATTICE;
    const a = t[y0 + x0] + (t[y0 + x1] - t[y0 + x0]) * u;
    const b = t[y1 + x0] + (t[y1 + x1] - t[y1 + x0]) * u;
    return a + (b - a) * v;
  };
}

/** Two colours per corner-pair of the gradient, picked from the seed. */
function palette(rnd) {
  const c = () => [40 + rnd() * 200, 40 + rnd() * 200, 40 + rnd() * 200];
  return { topLeft: c(), topRight: c(), bottomLeft: c(), bottomRight: c(), tint: c() };
}

/**
 * A w×h photo-like picture as 0x00RRGGBB pixels. `dx`, `dy` and `phase`
 * shift the plasma (animation frames are the same picture with the plasma
 * moved along), `scale` is the size of its largest features in pixels.
 */
export function photoPixels(w, h, { seed = 1, dx = 0, dy = 0, phase = 0, scale = 220 } = {}) {
  const rnd = mulberry32(seed);
  const noise = valueNoise(seed ^ 0x5bd1e995);
  const pal = palette(rnd);
  const out = new Uint32Array(w * h);
  const inv = 1 / scale;
  for (let y = 0; y < h; y++) {
    const fy = y / Math.max(1, h - 1);
    for (let x = 0; x < w; x++) {
      const fx = x / Math.max(1, w - 1);
      // fractal value noise, 5 octaves, in about [0, 1)
      let n = 0;
      let amp = 0.5;
      let f = inv;
      for (let o = 0; o < 5; o++) {
        n += amp * noise((x + dx) * f + o * 17.3, (y + dy) * f + o * 9.1);
        amp *= 0.5;
        f *= 2.03;
      }
      const wave = 0.5 + 0.5 * Math.sin((x + dx) * inv * 3.1 + Math.sin((y + dy) * inv * 2.3 + phase) * 2 + phase);
      const p = 0.65 * n + 0.35 * wave;
      const grain = (grainHash(x, y, seed) - 128) / 40; // about ±3 levels
      let rgb = 0;
      for (let c = 0; c < 3; c++) {
        const top = pal.topLeft[c] + (pal.topRight[c] - pal.topLeft[c]) * fx;
        const bottom = pal.bottomLeft[c] + (pal.bottomRight[c] - pal.bottomLeft[c]) * fx;
        const base = top + (bottom - top) * fy;
        const v = base * (0.45 + 0.9 * p) + pal.tint[c] * (p - 0.5) * 0.5 + grain;
        rgb = (rgb << 8) | Math.max(0, Math.min(255, Math.round(v)));
      }
      out[y * w + x] = rgb;
    }
  }
  return out;
}

/** Frames of a looping animation: the plasma drifts and its waves turn a little each frame. */
export function photoFrames(w, h, count, { seed = 7 } = {}) {
  const frames = [];
  for (let k = 0; k < count; k++) frames.push(photoPixels(w, h, { seed, dx: k * 6, dy: k * 3, phase: (k / count) * 2 * Math.PI, scale: 120 }));
  return frames;
}
