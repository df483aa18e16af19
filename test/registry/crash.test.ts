import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { readArtifact } from "../../src/artifact/index.ts";
import { SalesForecaster } from "../../src/forecast/index.ts";
import { type PromotionPolicy, Registry } from "../../src/registry/index.ts";
import { tempDir } from "./fixtures.ts";

const CHILD = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const KILLS = 20;
const POLICIES: PromotionPolicy[] = ["always", "if_better", "manual"];

/** Starts the child and resolves once it printed "ready"; fails with its stderr if it exits instead. */
async function startChild(dir: string, policy: PromotionPolicy) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, policy], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "close"); // after its output is all read
  await new Promise<void>((ready, fail) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("ready\n")) ready();
    });
    exited.then(() => fail(new Error(`crash child exited before it was ready:\n${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

async function kill(child: ChildProcess, exited: Promise<unknown[]>): Promise<string | null> {
  child.kill("SIGKILL");
  const [, signal] = (await exited) as [number | null, string | null];
  return signal;
}

function integrityCheck(path: string): string {
  const db = new Database(path);
  try {
    return db.pragma("integrity_check", { simple: true }) as string;
  } finally {
    db.close();
  }
}

const window = Array.from({ length: 14 }, (_, i) => 200 + 15 * i);

async function predictOnce(folder: string, name: string): Promise<number> {
  const forecaster = await SalesForecaster.load(folder);
  try {
    const seriesId = name.startsWith("series:") ? name.slice("series:".length) : undefined;
    return (await forecaster.predict(window, seriesId)).predicted_sales;
  } finally {
    await forecaster.close();
  }
}

describe("crash safety", () => {
  it(`survives ${KILLS} SIGKILLs in the middle of training and registering`, {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    const dbPath = join(dir, "registry", "salescast.db");
    const predicted = new Set<number>();
    let killsMidRun = 0;
    for (let round = 0; round < KILLS; round++) {
      const { child, exited, stderr } = await startChild(dir, POLICIES[round % POLICIES.length]);
      // Spread over 0-899 ms after "ready" (golden-ratio steps): a round takes ~100 ms (more on a loaded
      // machine), so kills land in every phase (loading data, fitting, saving, registering, recording progress).
      const delay = Math.floor(((round * 0.618034) % 1) * 900);
      await new Promise((resolve) => setTimeout(resolve, delay));
      const signal = await kill(child, exited);
      expect(signal, `child died on its own after ${delay} ms:\n${stderr()}`).toBe("SIGKILL");

      expect(integrityCheck(dbPath)).toBe("ok");
      const registry = await Registry.open({ path: dbPath, promotion: "manual" });
      try {
        const models = await registry.list();
        // The killed child left its run active (the next child fails it): the kill landed mid-run.
        if ((await registry.activeRun("global")) ?? (await registry.activeRun("per_series"))) killsMidRun++;
        const serving = models.filter((m) => m.stage === "production").map((m) => m.name);
        expect(new Set(serving).size).toBe(serving.length);
        for (const model of models) {
          expect(basename(model.folder).startsWith(".")).toBe(false);
          expect(readArtifact(model.folder).meta.onnx_sha256).toBe(model.onnx_sha256);
          // A model's files never change once registered: predict with each one once.
          if (predicted.has(model.id)) continue;
          expect(Number.isFinite(await predictOnce(model.folder, model.name))).toBe(true);
          predicted.add(model.id);
        }
      } finally {
        await registry.close();
      }
    }
    // The test tested something: kills cut runs short, and models were registered between kills. A kill
    // between one run's commit and the next run's creation finds no active run; on a loaded machine those
    // commits take long enough to catch a few kills (3 of 20 seen), so a majority is what is required.
    expect(killsMidRun, `${killsMidRun} of ${KILLS} kills landed mid-run`).toBeGreaterThanOrEqual(KILLS / 2);
    expect(predicted.size).toBeGreaterThan(0);
  });
});
