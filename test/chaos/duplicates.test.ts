import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, postToBot } from "../support/fake-slack.js";
import { postCallback, textMessage } from "../support/fake-wecom.js";
import { APP, FORM, inconsistentAccounts, pool, record, scale, SECRET, seedMqls, SLACK_IDS, startRig, WECOM_IDS, type Rig } from "./harness.js";

// Slack retries a delivery it thinks timed out (same body, x-slack-retry-num); WeCom re-pushes one it got
// no answer to (same MsgId). Both copies are sent at once here, the harshest timing: each must act once.
describe("chaos: every delivery sent twice", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(freshSqliteUrl());
  });
  afterAll(async () => rig?.close());

  it("changes each account once, whichever copy wins", async () => {
    const deliveries = scale(100, 1000);
    const ids = await seedMqls(rig.f, deliveries);
    const events = `${rig.bot.url}/slack/events`;
    const tasks = ids.map((id, i) => async () => {
      if (i % 2 === 0) {
        const body = commandBody(rig.slack, { command: "/lead", text: `accept #${id}`, userId: SLACK_IDS.alice! });
        const [first, retry] = await Promise.all([
          postToBot(events, SECRET, body, FORM),
          postToBot(events, SECRET, body, FORM, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }),
        ]);
        return [first.status, retry.status];
      }
      const message = textMessage(APP, { from: WECOM_IDS.alice!, content: `lead accept #${id}`, msgId: String(7_000_000_000 + id) });
      const [first, again] = await Promise.all([postCallback(rig.bot.url, APP, message), postCallback(rig.bot.url, APP, message)]);
      return [first.status, again.status];
    });
    const statuses = (await pool(10, tasks)).flat();
    const accepted = await rig.f.db.prisma.stageEvent.groupBy({ by: ["accountId"], where: { toStage: "SAL", accountId: { gte: ids[0]!, lte: ids.at(-1)! } }, _count: { _all: true } });
    const duplicates = accepted.reduce((n, a) => n + a._count._all - 1, 0);
    const lost = ids.length - accepted.length;
    // One answer per WeCom message, not one per push.
    const answers = await rig.f.db.prisma.outboxMessage.count({ where: { targetKind: "member", target: String(rig.f.members.alice!.id) } });
    const failures = statuses.filter((s) => s !== 200).length + (await inconsistentAccounts(rig.f)).length;
    record({ scenario: "deliveries sent twice (Slack retry, WeCom re-push)", cases: deliveries * 2, failures, lost, duplicates: duplicates + Math.max(0, answers - deliveries / 2) });
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
    expect(answers).toBe(deliveries / 2);
    expect(await inconsistentAccounts(rig.f)).toEqual([]);
  });
});
