import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { commandBody, postToBot } from "../support/fake-slack.js";
import { FORM, inconsistentAccounts, record, scale, SECRET, seedMqls, SLACK_IDS, startRig, type Rig } from "./harness.js";

// Everyone allowed to accept this MQL (its rep, the sales manager, an admin), all at once. Return and
// unqualified are left out on purpose: after an accept they are new, valid moves from SAL, not conflicts.
const ACTIONS: readonly (readonly [string, string])[] = [["alice", "accept"], ["sam", "accept"], ["admin", "accept"]];

describe.each(testDatabases())("chaos: 50 conflicting actions on one account at once, on $name", ({ name, url }) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(await url());
  });
  afterAll(async () => rig?.close());

  it("has one winner, and tells the 49 others plainly who won", async () => {
    const rounds = scale(2, 10);
    let failures = 0;
    let duplicates = 0;
    for (let round = 0; round < rounds; round++) {
      const [id] = await seedMqls(rig.f, 1);
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => {
        const [who, verb] = ACTIONS[i % ACTIONS.length]!;
        const text = `${verb} #${id}`;
        return postToBot(`${rig.bot.url}/slack/events`, SECRET, commandBody(rig.slack, { command: "/lead", text, userId: SLACK_IDS[who]! }), FORM);
      }));
      const moves = await rig.f.db.prisma.stageEvent.count({ where: { accountId: id, kind: "transition", fromStage: { not: "LEAD" } } });
      const texts = answers.map((a) => (a.status === 200 ? String(a.json().text ?? "") : `HTTP ${a.status}`));
      const winners = texts.filter((t) => t.startsWith("✅"));
      const clear = texts.filter((t) => !t.startsWith("✅") && /already/i.test(t) && !/\bat .+\.ts:\d+/.test(t));
      duplicates += Math.max(0, moves - 1);
      failures += Number(winners.length !== 1) + (49 - clear.length);
      expect(moves).toBe(1);
      expect(winners).toHaveLength(1);
      expect(clear).toHaveLength(49);
    }
    expect(await inconsistentAccounts(rig.f)).toEqual([]);
    record({ scenario: `50 conflicting actions on one account (${name})`, cases: rounds * 50, failures, lost: 0, duplicates });
  });
});
