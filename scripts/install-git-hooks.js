// The "prepare" script: installs lefthook's git hooks in a developer's checkout. A tarball or a Docker build
// (no git work tree) and a production install (`npm ci --omit=dev`, no lefthook) have no hooks to install;
// anywhere else a failing `lefthook install` fails the install.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const git = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { stdio: "ignore" });
if (git.status !== 0) {
  console.log("prepare: not a git work tree, no git hooks to install");
  process.exit(0);
}

let lefthookPackage;
try {
  lefthookPackage = createRequire(import.meta.url).resolve("lefthook/package.json");
} catch {
  console.log("prepare: lefthook is not installed (production install), no git hooks to install");
  process.exit(0);
}

const lefthook = spawnSync(process.execPath, [join(dirname(lefthookPackage), "bin/index.js"), "install"], {
  stdio: "inherit",
});
process.exit(lefthook.status ?? 1);
