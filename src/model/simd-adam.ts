import { arithmetic, Code, emitStreams } from "./wasm-code.ts";

/**
 * One Adam update of `count` parameters in WebAssembly SIMD, several times faster than the same loop in
 * JavaScript (its square root and division dominate). `adamStep(data, grad, m, v, count, settings)` takes
 * byte pointers, `settings` pointing at the floats named by `ADAM_SETTINGS`. With g = grad + weightDecay·data:
 * m ← beta1·m + (1 - beta1)·g, v ← beta2·v + (1 - beta2)·g², data ← data - stepSize·m / (√v + eps),
 * the caller having folded the bias corrections into stepSize and eps.
 */
export const ADAM_SETTINGS = [
  "beta1",
  "beta2",
  "oneMinusBeta1",
  "oneMinusBeta2",
  "stepSize",
  "eps",
  "weightDecay",
] as const;

export function adamStepCode(): Code {
  const [data, grad, m, v, count, settings] = [0, 1, 2, 3, 4, 5];
  const code = new Code(6);
  emitStreams(code, count, [data, grad, m, v], (lanes) => {
    const [g, mNew, vNew, ...setting] = code.declare(lanes.type, 3 + ADAM_SETTINGS.length);
    setting.forEach((local, i) => {
      code.emit(code.get(settings), lanes.splatLoad(4 * i), code.set(local));
    });
    const [beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, eps, weightDecay] = setting;
    const get = (local: number) => code.get(local);
    const load = (pointer: number) => [...get(pointer), ...lanes.load(0)];
    const { add, sub, mul, div } = arithmetic(lanes);
    return () => {
      code.emit(add(load(grad), mul(get(weightDecay), load(data))), code.set(g));
      code.emit(add(mul(get(beta1), load(m)), mul(get(oneMinusBeta1), get(g))), code.set(mNew));
      code.emit(add(mul(get(beta2), load(v)), mul(get(oneMinusBeta2), mul(get(g), get(g)))), code.set(vNew));
      code.emit(get(m), get(mNew), lanes.store(0), get(v), get(vNew), lanes.store(0));
      const update = div(mul(get(stepSize), get(mNew)), add([...get(vNew), ...lanes.sqrt], get(eps)));
      code.emit(get(data), sub(load(data), update), lanes.store(0));
    };
  });
  return code;
}
