/** `target += sourceᵀ`, where `source` is `rows × cols` and `target` is `cols × rows`. */
export function addTransposedInto(
  target: Float32Array,
  source: Float32Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    for (let c = 0; c < cols; c++) target[c * rows + r] += source[from + c];
  }
}

/** What a layer's buffer fields hold until `allocate` gives them workspace memory. */
export const UNALLOCATED: Float32Array = new Float32Array(0);
