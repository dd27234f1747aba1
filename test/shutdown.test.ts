// SIGTERM to the real server (src/main.ts, its own process) while its outbox worker is mid-batch: the
// delivery in flight finishes and is recorded, the rest of the batch is handed back at once rather than
// held for the claim lease, the database is closed and the process exits 0.
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
});
