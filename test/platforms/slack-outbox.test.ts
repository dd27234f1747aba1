import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxWorker } from "../../src/jobs/outbox-worker.js";
import { createSlack } from "../../src/platforms/slack/app.js";
import { slackDeliverer } from "../../src/platforms/slack/deliver.js";
import { updateMember } from "../../src/store/members.js";
import { claimDue, enqueue } from "../../src/store/outbox.js";
import { upsertTeam } from "../../src/store/teams.js";
import { testDatabases } from "../support/databases.js";
import { FakeSlack } from "../support/fake-slack.js";
import { openFixture, type Fixture } from "../support/fixture.js";

describe.each(testDatabases())("the outbox through a Slack outage on $name", ({ url }) => {
  let f: Fixture;
  let slack: FakeSlack;
  beforeAll(async () => {
    f = await openFixture(await url());
    slack = new FakeSlack();
    await slack.start();
    for (const handle of ["alice", "bob", "chen", "carl"]) await updateMember(f.db, handle, { slackUserId: `U_${handle.toUpperCase()}` });
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
  });
  afterAll(async () => {
    await slack?.stop();
    await f?.close();
  });

  it("survives 10 minutes of 500s and 429s and a killed worker: every message arrives exactly once", async () => {
    const log = pino({ level: "silent" });
    const { client } = createSlack(f.ctx, { botToken: "xoxb-test-token", signingSecret: "s", apiUrl: slack.apiUrl }, log);
    const deliver = slackDeliverer(f.ctx, client, log);
    const start = f.clock.read().getTime();
    // For ten minutes of clock time Slack answers every post with a 500, every third one with a 429.
    let calls = 0;
    slack.failWhen = (method) => {
      if (method !== "chat.postMessage" || f.clock.read().getTime() - start >= 10 * 60_000) return null;
      calls += 1;
      return calls % 3 === 0 ? { status: 429, retryAfter: 20 } : { status: 500 };
    };
    const handles = ["alice", "bob", "chen", "carl"];
    const messages = Array.from({ length: 40 }, (_, i) => {
      const text = `outage message ${i}`;
      const to = i % 5 === 4 ? { kind: "team" as const, teamKey: "sales" } : { kind: "member" as const, memberId: f.members[handles[i % 4]!]!.id };
      return { to, reply: { text, blocks: [{ kind: "text" as const, text }], ephemeral: false } };
    });
    await enqueue(f.db, messages, f.clock.read());

    // A worker claims a batch and dies before recording anything: its rows must come back after the lease.
    const dead = await claimDue(f.db, "dead-worker", f.clock.read(), { limit: 10, leaseMs: 60_000 });
    expect(dead.length).toBeGreaterThan(0);
    const workers = ["a", "b"].map((id) => new OutboxWorker({ db: f.db, deliver: async (row) => (await deliver(row)) ?? { kind: "sent" }, clock: f.clock.read, workerId: id, log, leaseMs: 60_000 }));
    // Twenty minutes of clock time in 10-second steps, both workers racing each step.
    for (let step = 0; step < 120; step++) {
      await Promise.all(workers.map((w) => w.runOnce()));
      f.clock.advance(10_000);
    }
    expect(calls).toBeGreaterThan(40);
    const posted = slack.callsTo("chat.postMessage").map((c) => String(c.body.text));
    for (const message of messages) expect(posted.filter((text) => text === message.reply.text)).toHaveLength(1);
    const rows = await f.db.prisma.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
    expect(rows).toEqual([{ status: "sent", _count: { _all: 40 } }]);
  });
});
