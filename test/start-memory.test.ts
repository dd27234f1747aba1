// What the real server (src/main.ts, its own process) loads at start-up, and what it loads only when asked:
// each module kept out of start-up is memory a bot that never needs it does not pay for (README, Benchmarks).
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateMember } from "../src/store/members.js";
import { upsertTeam } from "../src/store/teams.js";
import { someFunnel } from "./support/charts.js";
import { freshSqliteUrl } from "./support/databases.js";
import { commandBody, FakeSlack, postToBot } from "./support/fake-slack.js";
import { openFixture } from "./support/fixture.js";
import { ROOT, serverNodeFlags, startServer, type ServerProcess } from "./support/processes.js";

const SECRET = "m".repeat(32);
const FORM = "application/x-www-form-urlencoded";
const TRACE = path.join(os.tmpdir(), `funnelbot-module-trace-${process.pid}.txt`);

/** Every module file the server has loaded so far (test/support/module-trace.mjs writes them on SIGUSR2). */
async function loadedModules(server: ServerProcess): Promise<string[]> {
  rmSync(TRACE, { force: true });
  server.child.kill("SIGUSR2");
  for (let waited = 0; !existsSync(TRACE); waited += 20) {
    if (waited > 10_000) throw new Error("the server wrote no module trace");
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 50));
  return readFileSync(TRACE, "utf8").split("\n");
}

const has = (modules: readonly string[], fragment: string) => modules.some((m) => m.includes(fragment));

describe("the server's start-up loads what a Slack bot on SQLite needs, nothing it needs only later", () => {
  let slack: FakeSlack;
  let server: ServerProcess;
  beforeAll(async () => {
    const url = freshSqliteUrl();
    const f = await openFixture(url);
    await updateMember(f.db, "sam", { slackUserId: "U_SAM" });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    await someFunnel(f, ["Traced One"]);
    await f.close();
    slack = new FakeSlack();
    await slack.start();
    server = await startServer("src/main.ts", {
      DATABASE_URL: url, SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: "warn",
      FUNNEL_CALENDAR: "", MODULE_TRACE_FILE: TRACE,
    }, { nodeArgs: ["--import", path.join(ROOT, "test", "support", "module-trace.mjs")] });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await slack?.stop();
    rmSync(TRACE, { force: true });
  });

  it("starts without the chart renderer, date-holidays, WeCom's XML and crypto, the playground, the CSV or the YAML parser, or PostgreSQL's client on SQLite", async () => {
    const modules = await loadedModules(server);
    // The trace sees the server's own modules (so an absence below means something).
    expect(has(modules, "/src/platforms/slack/app.ts")).toBe(true);
    expect(has(modules, "/node_modules/@slack/bolt/")).toBe(true);
    expect(has(modules, "/node_modules/better-sqlite3/")).toBe(true);
    for (const later of [
      "/node_modules/echarts/", "/node_modules/@resvg/", "/node_modules/subset-font/", "/src/charts/team-chart.ts",
      "/node_modules/date-holidays/", "/node_modules/saxes/", "/node_modules/@wecom/crypto/", "/src/platforms/wecom/app.ts",
      "/src/platforms/playground/app.ts", "/node_modules/csv-parse/", "/node_modules/yaml/",
      "/node_modules/pg/", "/node_modules/@prisma/adapter-pg/", "/src/store/postgres.ts", "/src/store/generated/postgres/",
    ]) expect({ later, loaded: has(modules, later) }).toEqual({ later, loaded: false });
  });

  it("runs with production's Node.js flags, as the benchmarks and the chaos suite start it", () => {
    // Linux's view of the process's arguments: node, its flags, then --import tsx and the script.
    const args = readFileSync(`/proc/${server.child.pid}/cmdline`, "utf8").split("\0");
    expect(args.slice(1, 1 + serverNodeFlags().length)).toEqual(serverNodeFlags());
  });

  it("draws a chart when asked in the renderer's own process, never loading ECharts or resvg itself", async () => {
    const asked = await postToBot(`${server.url}/slack/events`, SECRET, commandBody(slack, { command: "/funnel", text: "chart sales", userId: "U_SAM", channelId: "C_SALES" }), FORM);
    expect(asked.status).toBe(200);
    for (let waited = 0; slack.shared.length === 0; waited += 50) {
      if (waited > 60_000) throw new Error("no chart was shared");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(slack.shared[0]!.bytes.subarray(1, 4).toString()).toBe("PNG");
    const modules = await loadedModules(server);
    expect(has(modules, "/src/charts/renderer.ts")).toBe(true);
    for (const elsewhere of ["/src/charts/team-chart.ts", "/src/charts/font.ts", "/node_modules/echarts/", "/node_modules/@resvg/", "/node_modules/subset-font/"]) {
      expect({ elsewhere, loaded: has(modules, elsewhere) }).toEqual({ elsewhere, loaded: false });
    }
  }, 90_000);
});
