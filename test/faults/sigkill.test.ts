import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { Registry } from "../../src/registry/index.ts";
import { trainVersions } from "../server/registry-server.ts";
import { salesWindow } from "../server/trained-models.ts";
import { AUTH, integrityCheck, scenario, seededRandom, startServe, unloadableVersions } from "./harness.ts";

// SIGKILL of a real server at random moments of an HTTP training run (global or per-series) and of an HTTP
// promotion, 20 times. After each kill the registry file must pass SQLite's integrity check, every version
// it names must load, no training may be half-registered, and the restarted server must serve the
// registry's production version.

const KILLS = 20;
const SEED = Number(process.env.SALESCAST_FAULT_SEED ?? 20261201);
const random = seededRandom(SEED);
const { dir, overrides, config } = scenario(["registry.promotion=always"]);
const registryPath = join(dir, "registry.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withRegistry<T>(use: (registry: Registry) => T | Promise<T>): Promise<T> {
  const registry = await Registry.open(config.registry);
  try {
    return await use(registry);
  } finally {
    await registry.close();
  }
}

/** Every training run's id, read from the file directly (the registry hands runs out one id at a time). */
function runIds(): string[] {
  const db = new Database(registryPath, { readonly: true });
  try {
    return (db.prepare("SELECT id FROM training_runs ORDER BY created_at").all() as { id: string }[]).map(
      (row) => row.id,
    );
  } finally {
    db.close();
  }
}

/**
 * What a kill may not leave: a run that succeeded without all its versions or failed with some, a version no
 * run registered; and the runs still active (for the next start to fail), and production.
 */
function registrations(seedIds: Set<number>) {
  return withRegistry(async (registry) => {
    const models = await registry.list();
    const linked = new Map<number, string>();
    const halfRegistered: string[] = [];
    const runs = [];
    for (const id of runIds()) runs.push(await registry.getRun(id));
    for (const run of runs) {
      const id = run.id;
      for (const modelId of run.model_ids) linked.set(modelId, run.id);
      const expected = run.scope === "per_series" ? 2 : 1;
      if (run.status === "succeeded" && run.model_ids.length !== expected)
        halfRegistered.push(`run ${id} (${run.scope}) succeeded with ${run.model_ids.length} versions`);
      if (run.status !== "succeeded" && run.model_ids.length > 0)
        halfRegistered.push(`run ${id} is ${run.status} with versions ${run.model_ids.join(", ")}`);
    }
    const unlinked = models
      .filter((m) => !seedIds.has(m.id) && !linked.has(m.id))
      .map((m) => `${m.name} v${m.version}`);
    const active = runs.filter((r) => r.status === "queued" || r.status === "running");
    return {
      halfRegistered,
      unlinked,
      active: active.map((r) => r.id),
      production: await registry.production(),
    };
  });
}

it(`survives ${KILLS} SIGKILLs during HTTP training and promotion (seed ${SEED})`, async () => {
  const seed = await withRegistry((registry) => trainVersions(config, registry, [1, 2]));
  await withRegistry((registry) => registry.promote(seed[0].id));
  const seedIds = new Set(seed.map((model) => model.id));
  const loadable = new Set<number>();
  const figures = { kills: 0, duringTraining: 0, runsCutOff: 0, versionsChecked: 0 };

  for (let kill = 0; kill < KILLS; kill++) {
    const before = await registrations(seedIds);
    const server = startServe(overrides);
    const url = await server.listening();

    // after a restart: runs cut off are failed with a log line, and the production version serves
    for (const runId of before.active) {
      await server.waitForLog(
        (line) => line.msg === `training run ${runId} was cut off by a stop: marked failed`,
      );
      figures.runsCutOff++;
    }
    const ready = await fetch(`${url}/api/health/ready`);
    expect(ready.status, await ready.text()).toBe(200);
    const globalProduction = before.production.find((model) => model.name === "global");
    const answer = await fetch(`${url}/api/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ series: salesWindow(kill) }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { model: { id: number } }).model.id).toBe(globalProduction?.id);

    // the fault: a training run (global or per-series) and a promotion, killed at a random moment
    const body =
      kill % 2 === 0 ? {} : { series: ["Beauty", "Clothing"], overrides: ["train.scope=per_series"] };
    const started = await fetch(`${url}/api/train`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify(body),
    });
    expect(started.status).toBe(202);
    const target = await withRegistry(async (registry) =>
      (await registry.list()).filter((m) => m.name === "global" && m.stage !== "production"),
    );
    if (target.length > 0) {
      const pick = target[Math.floor(random() * target.length)];
      fetch(`${url}/api/models/${pick.id}/promote`, { method: "POST", headers: AUTH, body: "{}" }).catch(
        () => {},
      );
    }
    await sleep(Math.floor(random() * 3000));
    const running = (
      (await (
        await fetch(`${url}/api/train/${((await started.json()) as { run_id: string }).run_id}`)
      ).json()) as {
        status: string;
      }
    ).status;
    if (running === "running" || running === "queued") figures.duringTraining++;
    server.child.kill("SIGKILL");
    expect((await server.exited).signal).toBe("SIGKILL");
    figures.kills++;

    // the registry after the kill
    expect(integrityCheck(registryPath)).toBe("ok");
    const after = await registrations(seedIds);
    expect(after.halfRegistered).toEqual([]);
    expect(after.unlinked).toEqual([]);
    expect(await withRegistry((registry) => unloadableVersions(registry, loadable))).toEqual([]);
    expect(after.production.map((model) => model.name)).toContain("global");
  }
  figures.versionsChecked = loadable.size;

  // a last restart serves the production version
  const server = startServe(overrides);
  const url = await server.listening();
  try {
    expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
  console.log(JSON.stringify({ what: "sigkill_faults", seed: SEED, ...figures }));
  expect(figures.kills).toBe(KILLS);
  expect(figures.duringTraining).toBeGreaterThan(0);
});
