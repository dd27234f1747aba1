// The server runs with the same Node.js flags wherever it runs in production (README, Benchmarks and
// reliability: the heap ceiling that keeps V8's heap growth in proportion), and the benchmarks and the chaos
// suite start it with them too.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, serverNodeFlags } from "./support/processes.js";

const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

describe("the server's Node.js flags", () => {
  const flags = serverNodeFlags();

  it("cap the heap, as the README says", () => {
    expect(flags).toEqual(["--max-old-space-size=1024"]);
  });

  it("are the same for npm start, npm run start:prod, the container and the systemd unit", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["start"]).toBe(`tsx ${flags.join(" ")} src/main.ts`);
    expect(scripts["start:prod"]).toBe(`node ${flags.join(" ")} dist/main.js`);
    const cmd = /^CMD (\[.*\])$/m.exec(read("Dockerfile"))?.[1];
    expect(JSON.parse(cmd!)).toEqual(["node", ...flags, "dist/main.js"]);
    expect(read("deploy/funnelbot.service")).toMatch(new RegExp(`^ExecStart=/usr/bin/env node ${flags.join(" ")} /opt/funnelbot/dist/main\\.js$`, "m"));
  });
});
