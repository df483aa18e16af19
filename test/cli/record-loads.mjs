// Module hooks that append every loaded module's URL to the file named by env SALESCAST_LOADS_FILE.
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.SALESCAST_LOADS_FILE, `${url}\n`);
  return nextLoad(url, context);
}
