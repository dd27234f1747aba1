// SIGTERM to the real server (src/main.ts, its own process) while its outbox worker is mid-batch: the
// delivery in flight finishes and is recorded, the rest of the batch is handed back at once rather than
// held for the claim lease, the database is closed and the process exits 0. A delivery that hangs is cut
// short instead, recorded as an attempt to retry, and sent by the next start.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../src/commands/reply.js";
import { enqueue } from "../src/store/outbox.js";
import { openProcessRig, serverEnv, SLACK_IDS, type ProcessRig } from "./chaos/harness.js";
import { testDatabases } from "./support/databases.js";
import { startServer } from "./support/processes.js";

const DM_DELAY_MS = 1_500;
const RECIPIENTS = ["alice", "bob", "chen", "sam", "carl"] as const;

function dm(memberId: number, text: string): OutgoingMessage {
  return { to: { kind: "member", memberId }, reply: { text, blocks: [{ kind: "text", text }], ephemeral: false } };
}

describe.each(testDatabases())("SIGTERM on $name", ({ url }) => {
  let dbUrl: string;
  let rig: ProcessRig;
  beforeAll(async () => {
    dbUrl = await url();
    rig = await openProcessRig(dbUrl, { cardUpdateDelayMs: 0 });
  });
  afterAll(async () => rig?.close());

  it("finishes the delivery in flight, releases the other claims, closes and exits 0", async () => {
    const { f, slack, servers } = rig;
    // Slack answers each DM slowly: five DMs to five people are claimed as one batch and go out one by one.
    slack.delayWhen = (method) => (method === "chat.postMessage" ? DM_DELAY_MS : 0);
    await enqueue(f.db, RECIPIENTS.map((handle) => dm(f.members[handle]!.id, `hello ${handle}`)), new Date());
    const server = await startServer("src/main.ts", serverEnv(dbUrl, slack));
    servers.push(server);
    const first = await slack.waitFor("chat.postMessage", () => true, 15_000);
    // Only the test's own DMs are counted: the server may queue its own notices at start-up (from 1 December,
    // the admins hear that next year's holidays are not published yet).
    const ours = { payload: { contains: "hello " } };
    expect(await f.db.prisma.outboxMessage.count({ where: { ...ours, status: "pending", claimedBy: { not: null } } })).toBe(RECIPIENTS.length);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.child.once("exit", (code, signal) => resolve({ code, signal })));
    const started = Date.now();
    server.child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    // One slow delivery to wait for, not the whole batch of five.
    expect(Date.now() - started).toBeLessThan(DM_DELAY_MS * 3);
    expect((await fetch(`${server.url}/healthz`).catch(() => null))?.status).toBeUndefined();

    const rows = await f.db.prisma.outboxMessage.findMany({ where: ours, select: { target: true, status: true, claimedBy: true }, orderBy: { id: "asc" } });
    const sentTo = rows.filter((r) => r.status === "sent").map((r) => r.target);
    expect(sentTo).toEqual([String(f.members[RECIPIENTS[0]]!.id)]);
    expect(first.body.channel).toBe(SLACK_IDS[RECIPIENTS[0]]);
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(rows.filter((r) => r.status === "pending")).toEqual(RECIPIENTS.slice(1).map((h) => ({ target: String(f.members[h]!.id), status: "pending", claimedBy: null })));
  }, 60_000);

  it("cuts a delivery that hangs short, well inside the shutdown deadline, and the next start sends it", async () => {
    const { f, slack, servers } = rig;
    await f.db.prisma.outboxMessage.deleteMany();
    slack.delayWhen = null;
    // Slack takes the DM and never answers: the delivery's own deadline (a quarter of the 60 s lease) is
    // further off than the 8 s the process has to stop in.
    slack.hangWhen = (method, body) => method === "chat.postMessage" && String(body.text).includes("hangs up");
    await enqueue(f.db, [dm(f.members.alice!.id, "this one hangs up")], new Date());
    const server = await startServer("src/main.ts", serverEnv(dbUrl, slack));
    servers.push(server);
    for (let i = 0; i < 750 && slack.hung.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(slack.hung).toHaveLength(1);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.child.once("exit", (code, signal) => resolve({ code, signal })));
    const started = Date.now();
    server.child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Its request was aborted, and the attempt recorded as one to retry, with nobody's claim left on it.
    expect(slack.hung[0]!.abandoned).toBe(true);
    const ours = { payload: { contains: "hangs up" } };
    const [row] = await f.db.prisma.outboxMessage.findMany({ where: ours });
    expect(row).toMatchObject({ status: "pending", attempts: 1, claimedBy: null });
    expect(row!.lastError).toMatch(/^cut short by shutdown/);

    // The next start sends it, once (a hung call is not counted among the calls Slack did).
    slack.hangWhen = null;
    const next = await startServer("src/main.ts", serverEnv(dbUrl, slack));
    servers.push(next);
    const sent = await slack.waitFor("chat.postMessage", (call) => String(call.body.text).includes("hangs up"), 15_000);
    expect(sent.body.channel).toBe(SLACK_IDS.alice);
    for (let i = 0; i < 250 && (await f.db.prisma.outboxMessage.count({ where: { ...ours, status: "sent" } })) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await f.db.prisma.outboxMessage.findMany({ where: ours, select: { status: true, attempts: true } })).toEqual([{ status: "sent", attempts: 1 }]);
    expect(slack.callsTo("chat.postMessage").filter((call) => String(call.body.text).includes("hangs up"))).toHaveLength(1);
  }, 60_000);
});
