import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, SUBCOMMANDS } from "../../src/platforms/cli/run-cli.js";
import { freshSqliteUrl } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

let fixture: Fixture | null = null;
afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

/** Runs the CLI in-process with argv as the shell would split it. */
async function cli(argv: string[], f: Fixture | null = null): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const open = async () => {
    if (!f) throw new Error("this command should not need the database");
    return f.ctx;
  };
  const code = await runCli(argv, open, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("the admin CLI reads its arguments strictly", () => {
  it("refuses an unknown flag by name, in one line, exit code 2, writing nothing", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const result = await cli(["teams", "add", "x", "--name", "X", "--bogus-flag", "y"], f);
    expect(result).toMatchObject({ code: 2, out: "" });
    expect(result.err).toContain("--bogus-flag");
    expect(result.err.split("\n")).toHaveLength(1);
    expect(await f.db.prisma.team.findUnique({ where: { key: "x" } })).toBeNull();
    expect((await cli(["members", "add", "zed", "--name", "Zed", "--team", "sales", "--rol", "rep"], f)).err).toContain("--rol");
    expect((await cli(["teams", "add", "x", "y", "--name", "X"], f))).toMatchObject({ code: 2, err: expect.stringContaining("“y”") });
    expect((await cli(["teams", "add", "x", "--name"], f))).toMatchObject({ code: 2, err: expect.stringContaining("--name needs a value") });
  });

  it("gives every subcommand a --help that needs no database", async () => {
    for (const command of SUBCOMMANDS) {
      const result = await cli([...command.path, "--help"]);
      expect({ path: command.path, code: result.code }).toEqual({ path: command.path, code: 0 });
      expect(result.out).toContain(`Usage: funnelbot ${command.path.join(" ")}`);
      for (const option of Object.keys(command.options)) expect(result.out).toContain(`--${option}`);
    }
    expect((await cli(["members", "--help"])).out).toContain("funnelbot members add");
    expect((await cli(["--help"])).out).toContain("funnelbot import <leads.csv>");
    expect((await cli(["lead", "accept", "--help"])).out).toContain("Usage: funnelbot lead accept <account> --as <member>");
    expect((await cli(["lead", "help"])).out).toContain("lead claim <account>");
  });

  it("says a missing CSV file in one line, without a stack trace", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const result = await cli(["import", "missing.csv"], f);
    expect(result).toEqual({ code: 2, out: "", err: "Cannot read missing.csv: no such file." });
    expect((await cli(["import", "--help"])).out).toContain("--dry-run");
    expect((await cli(["import"], f))).toMatchObject({ code: 2, err: expect.stringContaining("missing <leads.csv>") });
  });

  it("writes a team's chart to a PNG file and imports spend from a CSV, refusing bad input in one line", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const dir = mkdtempSync(path.join(os.tmpdir(), "funnelbot-chart-"));
    const out = path.join(dir, "sales.png");
    expect(await cli(["chart", "--team", "sales", "--locale", "zh-CN", "--out", out], f)).toMatchObject({ code: 0, out: expect.stringContaining("sales.png") });
    expect(readFileSync(out).subarray(1, 4).toString()).toBe("PNG");
    expect(await cli(["chart", "--team", "nobody"], f)).toMatchObject({ code: 2, err: expect.stringContaining("--team must be one of") });
    expect(await cli(["chart", "--weeks", "99"], f)).toMatchObject({ code: 2, err: "--weeks is a whole number from 4 to 26" });
    const csv = path.join(dir, "spend.csv");
    writeFileSync(csv, "channel,month,amount\nwebinar,2026-11,5000\n");
    // No account came from webinar yet: the row is refused by line, exit code 1.
    expect(await cli(["spend", "import", csv], f)).toMatchObject({ code: 1, out: expect.stringContaining("line 2: unknown-channel webinar") });
    expect(await cli(["spend", "import", path.join(dir, "missing.csv")], f)).toMatchObject({ code: 2, err: expect.stringContaining("no such file") });
  });

  it("names an unknown subcommand of a group", async () => {
    const result = await cli(["teams", "remove", "x"]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/unknown subcommand “remove”; one of list, add, set/);
  });
});

describe("chat commands in a terminal", () => {
  it("shows buttons and forms as funnelbot command lines, with no chat markup", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const created = await cli(["lead", "new", "Terminal Co", "--domain", "terminal.example", "--as", "mia"], f);
    const id = /#(\d+)/.exec(created.out)![1]!;
    await cli(["lead", "handoff", `#${id}`, "--confirm", "all", "--as", "mia"], f);
    const owner = (await f.db.prisma.account.findUnique({ where: { id: Number(id) }, select: { owner: { select: { handle: true } } } }))!.owner!.handle;
    const shown = await cli(["lead", "show", `#${id}`, "--as", owner], f);
    expect(shown.out).toContain(`funnelbot lead accept #${id} --as ${owner}`);
    expect(shown.out).not.toMatch(/`|\[[^\]]*: (lead|account) /);
    const refused = await cli(["lead", "acept", id, "--as", owner], f);
    expect(refused.code).toBe(1);
    expect(refused.err).not.toContain("`");
    const advance = await cli(["lead", "handoff", `#${id}`, "--as", "mia"], f);
    expect(advance.out + advance.err).not.toContain("`");
  });
});

describe("the admin CLI and the permission table", () => {
  it("keeps the last admin an admin, and lets one step down once there is another", async () => {
    const f = (fixture = await openFixture(freshSqliteUrl()));
    const refused = await cli(["members", "set", "admin", "--role", "rep"], f);
    expect(refused).toMatchObject({ code: 2, err: expect.stringContaining("last admin") });
    expect((await f.db.prisma.member.findUniqueOrThrow({ where: { handle: "admin" } })).role).toBe("admin");
    expect((await cli(["members", "set", "sam", "--role", "admin"], f)).code).toBe(0);
    expect((await cli(["members", "set", "admin", "--role", "rep"], f)).code).toBe(0);
    expect((await f.db.prisma.member.findUniqueOrThrow({ where: { handle: "admin" } })).role).toBe("rep");
  });
});
