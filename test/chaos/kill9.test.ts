import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { commandBody, postToBot } from "../support/fake-slack.js";
import { startServer } from "../support/processes.js";
import {
  cardTs, FORM, FULL, inconsistentAccounts, openProcessRig, pool, postCards, record, scale, SECRET, seedMqls, serverEnv, SLACK_IDS, slackDeliveries, waitUntil, type ProcessRig,
} from "./harness.js";

/** The outbox worker's claim lease (OutboxWorker's default): a dead server's claims are taken over after it. */
const LEASE_MS = 60_000;

/** How one command ended, as the person who typed it saw it. */
type Seen = { id: number; answer: "done" | "other" } | { id: number; answer: "cut" | "never sent" };

// The real server in a child process, `kill -9`ed while commands are in flight and its outbox worker is
// mid-batch (the fake Slack answers card updates slowly, so a backlog builds), then started again on the
// same database. Nothing the server acknowledged may be lost, the database must be consistent, and every
// message queued before the kill must go out after the restart, once.
describe.each(testDatabases())("chaos: kill -9 of the server in the middle of a load, on $name", ({ name, url }) => {
  let dbUrl: string;
  let rig: ProcessRig;
  beforeAll(async () => {
    dbUrl = await url();
    rig = await openProcessRig(dbUrl, { cardUpdateDelayMs: 15 });
  });
  afterAll(async () => rig?.close());

  it("loses nothing it acknowledged, stays consistent, and delivers what was queued once", async () => {
    const { f, slack, servers } = rig;
    const commands = scale(120, 1000);
    const ids = await seedMqls(f, commands);
    await postCards(f, ids);
    const env = serverEnv(dbUrl, slack);
    const first = await startServer("src/main.ts", env);
    servers.push(first);

    // Reps accept their own MQLs and the sales manager some of them; the kill comes once 40% are answered.
    let answered = 0;
    let killed: Promise<void> | null = null;
    const seen = await pool(16, ids.map((id, i) => async (): Promise<Seen> => {
      if (killed) return { id, answer: "never sent" };
      const body = commandBody(slack, { command: "/lead", text: `accept #${id}`, userId: SLACK_IDS[i % 4 === 0 ? "sam" : "alice"]! });
      try {
        const response = await postToBot(`${first.url}/slack/events`, SECRET, body, FORM, {}, AbortSignal.timeout(10_000));
        answered += 1;
        if (answered >= commands * 0.4) killed ??= first.kill();
        return { id, answer: response.status === 200 && String(response.json().text ?? "").startsWith("✅") ? "done" : "other" };
      } catch {
        return { id, answer: "cut" };
      }
    }));
    await killed;
    expect(first.child.signalCode).toBe("SIGKILL");

    // What the dead server left: queued messages, some claimed by its worker. The first claimed one of its
    // batch may have reached Slack just before the kill without being marked sent; it alone may go out twice.
    const atKill = await f.db.prisma.outboxMessage.findMany({ where: { status: "pending" }, select: { id: true, targetKind: true, target: true, claimedBy: true }, orderBy: { id: "asc" } });
    const inFlight = atKill.find((m) => m.claimedBy !== null);
    const mayRepeat = inFlight?.targetKind === "cards" ? `update C_SALES ${cardTs(Number(inFlight.target))}` : null;
    if (!FULL) {
      // The small run does not sit out the lease: it ages the dead worker's claims instead, as if it had.
      await f.db.prisma.outboxMessage.updateMany({ where: { status: "pending", claimedBy: { not: null } }, data: { claimedAt: new Date(Date.now() - LEASE_MS - 1_000) } });
    }

    const second = await startServer("src/main.ts", env);
    servers.push(second);
    const pending = () => f.db.prisma.outboxMessage.count({ where: { status: "pending" } });
    await waitUntil(async () => (await pending()) === 0, (FULL ? LEASE_MS : 0) + 10_000);
    await second.stop();
    const stuck = await pending();

    const accepted = new Map((await f.db.prisma.stageEvent.groupBy({ by: ["accountId"], where: { toStage: "SAL", accountId: { gte: ids[0]!, lte: ids.at(-1)! } }, _count: { _all: true } })).map((g) => [g.accountId, g._count._all]));
    const done = seen.filter((s) => s.answer === "done");
    const lostCommands = done.filter((s) => !accepted.has(s.id)).length;
    const doubleMoves = [...accepted.values()].reduce((n, c) => n + c - 1, 0);
    const delivered = slackDeliveries(slack);
    // Every account that moved has its card updated exactly once, whether its update was queued, claimed or
    // in flight at the kill.
    const lostMessages = [...accepted.keys()].filter((id) => !delivered.has(`update C_SALES ${cardTs(id)}`)).length;
    const repeats = [...delivered].filter(([key, n]) => n > 1 && !(key === mayRepeat && n === 2));
    const parked = await f.db.prisma.outboxMessage.count({ where: { status: "parked" } });
    const inconsistent = await inconsistentAccounts(f);
    record({
      scenario: `kill -9 mid-load, restart (${name})`, cases: commands, failures: inconsistent.length + parked + stuck,
      lost: lostCommands + lostMessages, duplicates: doubleMoves + repeats.reduce((n, [, c]) => n + c - 1, 0),
    });

    // The kill really came mid-load, with work queued: otherwise this proves nothing.
    expect(done.length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.answer !== "done" && s.answer !== "other").length).toBeGreaterThan(0);
    expect(atKill.length).toBeGreaterThan(0);
    expect(inconsistent).toEqual([]);
    expect({ lostCommands, doubleMoves, lostMessages, stuck, parked }).toEqual({ lostCommands: 0, doubleMoves: 0, lostMessages: 0, stuck: 0, parked: 0 });
    expect(repeats).toEqual([]);
  });
});
