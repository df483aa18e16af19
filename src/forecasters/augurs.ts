import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ets from "@bsull/augurs/ets";
import * as mstl from "@bsull/augurs/mstl";

const require = createRequire(import.meta.url);

/** The package's folder, found through an exported entry since its .wasm files are not exported themselves. */
const packageFolder = dirname(require.resolve("@bsull/augurs/mstl"));

/** Each augurs module compiles its own WebAssembly file, read from the package itself: no fetch, no network. */
function initialise(module: { initSync: (input: { module: Uint8Array }) => unknown }, file: string): void {
  module.initSync({ module: readFileSync(join(packageFolder, file)) });
}

initialise(mstl, "mstl_bg.wasm");
initialise(ets, "ets_bg.wasm");

export const { MSTL } = mstl;
export const { AutoETS } = ets;
