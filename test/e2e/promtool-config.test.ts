import { describe, expect, it } from "vitest";
import { requireTool, runTool } from "./debian-tools.ts";

describe.each(["deploy/prometheus.yml", "deploy/cluster/prometheus.yml"])("%s", (file) => {
  it("passes promtool check config", () => {
    const promtool = requireTool("promtool", "prometheus");
    const check = runTool(promtool, ["check", "config", file]);
    expect(check.output).toContain("SUCCESS");
    expect(check.status, check.output).toBe(0);
  });
});
