import { runCli } from "../../src/platforms/cli/run-cli.js";
import type { Fixture } from "./fixture.js";

/** Runs one CLI line in-process against the fixture's database; returns the exit code and what it printed. */
export async function cli(f: Fixture, line: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  // Split as a shell does: quotes group words, also mid-word (`dm="Li Wei"` is one argument, `dm=Li Wei`).
  const argv = line.match(/(?:[^\s"]+|"[^"]*")+/g)!.map((a) => a.replace(/"/g, ""));
  const code = await runCli(argv, async () => f.ctx, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
