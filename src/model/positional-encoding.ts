/**
 * Sinusoidal positions `[steps, d]`: `pe[t, 2i] = sin(t / 10000^(2i/d))`, `pe[t, 2i+1] = cos(...)`, computed in
 * double and rounded once, as PyTorch's reference forecaster builds them.
 */
export function sinusoidalPositions(steps: number, d: number): Float32Array {
  const pe = new Float32Array(steps * d);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < d; i += 2) {
      const angle = t * Math.exp(-i * (Math.log(10000) / d));
      pe[t * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[t * d + i + 1] = Math.cos(angle);
    }
  }
  return pe;
}
