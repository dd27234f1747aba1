// `npm start` on a fresh checkout: the real entry point as a child process, with no platform credentials.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freshSqliteUrl } from "./support/databases.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * Starts src/main.ts as `npm start` does, with stdout and stderr piped (not a terminal, as under a log
 * collector), and resolves once its banner is out (or it exits) with both streams, apart and together.
 */
function start(env: Record<string, string>): { child: ChildProcess; banner: Promise<string>; streams: { stdout: string; stderr: string } } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|WECOM_|PLAYGROUND|HOST$)/.test(k)));
  const child = spawn(process.execPath, [tsx, "src/main.ts"], { cwd: root, env: { ...clean, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const streams = { stdout: "", stderr: "" };
  const banner = new Promise<string>((resolve, reject) => {
    // The sign-in line goes to stderr before the banner to stdout; wait for both, whichever pipe is read first.
    const ready = () => streams.stdout.includes("PLAYGROUND=0 turns it off") && (!streams.stdout.includes("link on stderr") || streams.stderr.includes("?token="));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      streams.stdout += chunk.toString();
      if (ready()) resolve(out);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      streams.stderr += chunk.toString();
      if (ready()) resolve(out);
    });
    child.on("exit", (code) => reject(new Error(`funnelbot exited with ${code}:\n${out}`)));
  });
  return { child, banner, streams };
}

describe("npm start", () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGTERM");
  });

  it("with no credentials seeds the demo, serves the playground and prints where to open it", async () => {
    const port = await freePort();
    const { child, banner, streams } = start({ PORT: String(port), DATABASE_URL: freshSqliteUrl() });
    children.push(child);
    const text = await banner;
    expect(text).toContain("Mode: playground");
    expect(text).toContain("seeded 40 demo accounts");
    expect(text).toMatch(/SLACK_BOT_TOKEN \+ SLACK_SIGNING_SECRET/);
    expect(text).toMatch(/WECOM_CORP_ID/);
    const link = new RegExp(`http://localhost:${port}/\\?token=([0-9a-f]{40})`).exec(text);
    expect(link).not.toBeNull();
    // stdout is not a terminal here, so it is a log stream: the token is nowhere on it, only on the
    // marked stderr line, which the banner points to.
    expect(streams.stdout).not.toContain(link![1]);
    expect(streams.stdout).toContain("Playground: open the link on stderr");
    expect(streams.stderr).toContain(`[funnelbot playground sign-in: secret, keep out of logs] ${link![0]}`);

    const signIn = await fetch(link![0].replace("localhost", "127.0.0.1"), { redirect: "manual" });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/playground/app.js");
    const boot = (await (await fetch(`http://127.0.0.1:${port}/playground/api/bootstrap`, { headers: { cookie } })).json()) as { members: unknown[] };
    expect(boot.members).toHaveLength(12);
  }, 60_000);

  it("with PLAYGROUND=0 and no platform serves no page, and says so", async () => {
    const port = await freePort();
    const { child, banner } = start({ PORT: String(port), DATABASE_URL: freshSqliteUrl(), PLAYGROUND: "0" });
    children.push(child);
    expect(await banner).toContain("Mode: no chat surface");
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 60_000);

  it("refuses a malformed PLAYGROUND with a one-line reason", async () => {
    const { child, banner } = start({ PORT: String(await freePort()), DATABASE_URL: freshSqliteUrl(), PLAYGROUND: "maybe" });
    children.push(child);
    await expect(banner).rejects.toThrow(/exited with 2:[^]*PLAYGROUND: must be 1 or 0/);
  }, 60_000);

  it("refuses to serve the playground on an address other machines reach, with a one-line reason", async () => {
    for (const env of [{ PLAYGROUND: "1", HOST: "0.0.0.0" }, { HOST: "192.168.1.10" }] as Record<string, string>[]) {
      const { child, banner } = start({ PORT: String(await freePort()), DATABASE_URL: freshSqliteUrl(), ...env });
      children.push(child);
      await expect(banner).rejects.toThrow(/exited with 2:[^]*HOST: is [0-9.]+, but the playground listens on a loopback address only/);
    }
  }, 60_000);
});
