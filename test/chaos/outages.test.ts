import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMember } from "../../src/store/members.js";
import { upsertTeam } from "../../src/store/teams.js";
import { testDatabases } from "../support/databases.js";
import { commandBody, postToBot, type Failure } from "../support/fake-slack.js";
import { postCallback, textMessage } from "../support/fake-wecom.js";
import { APP, FORM, pool, record, scale, SECRET, seedMqls, SLACK_IDS, startRig, type Rig } from "./harness.js";

// The rig's worker runs on the fixture's clock, which this scenario moves STEP_MS every TICK_MS: the worker
// keeps its production back-off (2 s doubling to 15 min, parked after 16 failures) and an outage of minutes
// passes in a second or two of wall time.
const STEP_MS = 500;
const TICK_MS = 10;
const OUTAGE_MS = scale(1, 15) * 60_000;
const COMMANDS = scale(30, 300);
/** What Slack's 429s ask for, in seconds of clock time: longer than the first back-off, so ignoring it shows. */
const RETRY_AFTER_S = 30;
/** WeCom drops app messages past 30 a minute to one member; failed attempts count in the bot's window too. */
const PER_REP = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The account a message is about: every message of this scenario names exactly one. */
const company = (value: unknown) => /Chaos \d+ Ltd/.exec(JSON.stringify(value))?.[0] ?? "(no account)";

describe.each(testDatabases())("chaos: Slack and WeCom down for a while, on $name", ({ name, url }) => {
  let rig: Rig;
  const reps: string[] = [];
  beforeAll(async () => {
    rig = await startRig(await url());
    // Returns are announced to marketing, here a WeCom group chat; the reps below are on WeCom only. Alice
    // (Slack) gets the reassigned cards, so every kind of delivery crosses the outage: Slack DMs and card
    // updates, WeCom messages to members and to a group chat.
    await upsertTeam(rig.f.db, { key: "marketing", name: "Marketing", slackChannel: null, wecomChatId: "wrMarketing" });
    for (let i = 1; i <= Math.ceil(COMMANDS / 3 / PER_REP); i++) {
      const handle = `rep${i}`;
      rig.f.members[handle] = await upsertMember(rig.f.db, { handle, displayName: `Rep ${i}`, teamKey: "sales", role: "rep", locale: i % 2 ? "en" : "zh-CN", wecomUserId: `WRep${i}` });
      reps.push(handle);
    }
  });
  afterAll(async () => rig?.close());

  it("delivers every message once after recovery, none early, none twice, none parked", async () => {
    const { f, slack, wecom } = rig;
    const third = COMMANDS / 3;
    const toReassign = await seedMqls(f, third, "bob");
    const toReturn = await seedMqls(f, third, "alice");
    const toAccept: { id: number; rep: string }[] = [];
    for (const [i, rep] of reps.entries()) {
      const ids = await seedMqls(f, Math.min(PER_REP, third - i * PER_REP), rep);
      toAccept.push(...ids.map((id) => ({ id, rep })));
    }

    // The outage: from now until OUTAGE_MS of clock time have passed and every command has been answered,
    // so that every message is written while both platforms are down, however slow the database.
    const start = f.clock.read().getTime();
    const now = () => f.clock.read().getTime();
    let down = true;
    let commandsDone = false;
    let revokedMidway = false;
    const seen = { slack500: 0, slack429: 0, wecomBusy: 0, early: 0, gettoken: 0 };
    // Per target queue (a DM channel, a card), the clock time before which Slack asked not to be called again.
    const notBefore = new Map<string, number>();
    // Only the methods the outbox delivers with fail: the commands still reach the bot (and Bolt's auth.test
    // answers), so it is the outbound path alone that is tested here. 500s and 429s alternate.
    slack.failWhen = (method, body): Failure | null => {
      if (method !== "chat.postMessage" && method !== "chat.update") return null;
      const queue = method === "chat.update" ? `card ${String(body.ts)}` : `post ${String(body.channel)}`;
      if (now() < (notBefore.get(queue) ?? 0)) seen.early += 1;
      if (!down) return null;
      if ((seen.slack500 + seen.slack429) % 2 === 0) {
        seen.slack500 += 1;
        return { status: 500, error: "internal_error" };
      }
      seen.slack429 += 1;
      notBefore.set(queue, now() + RETRY_AFTER_S * 1000);
      return { status: 429, retryAfter: RETRY_AFTER_S, error: "ratelimited" };
    };
    wecom.failWhen = (api) => {
      if (!down) return null;
      // A token fetch succeeds every other time, so the bot both refreshes during the outage and retries it.
      if (api === "gettoken" && ++seen.gettoken % 2 === 1) return null;
      seen.wecomBusy += 1;
      return { errcode: -1, errmsg: "system busy" };
    };
    // The token is revoked as the outage starts, halfway through and as it ends: the first call after
    // recovery is answered 42001, and only a fresh gettoken gets the backlog out.
    wecom.expireTokenOnNextCall();
    const ticker = setInterval(() => {
      f.clock.advance(STEP_MS);
      if (!revokedMidway && now() - start >= OUTAGE_MS / 2) {
        revokedMidway = true;
        wecom.expireTokenOnNextCall();
      }
      if (down && commandsDone && now() - start >= OUTAGE_MS) {
        down = false;
        wecom.expireTokenOnNextCall();
      }
    }, TICK_MS);

    try {
      const until = async (at: number) => {
        while (now() < at) await sleep(2);
      };
      const slackCommand = async (command: string, text: string, userId: string) => {
        const answer = await postToBot(`${rig.bot.url}/slack/events`, SECRET, commandBody(slack, { command, text, userId }), FORM);
        return answer.status === 200 && String(answer.json().text ?? "").startsWith("✅");
      };
      // Commands arrive spread over the first 80% of the outage; each is answered at once (inbound works),
      // its messages wait in the outbox.
      const tasks = Array.from({ length: COMMANDS }, (_, i) => async (): Promise<boolean[]> => {
        await until(start + (OUTAGE_MS * 0.8 * i) / COMMANDS);
        const j = Math.floor(i / 3);
        if (i % 3 === 0) {
          const id = toReassign[j]!;
          // Alice hears of it on Slack with a card; her accept then updates that card in place.
          const given = await slackCommand("/account", `reassign #${id} alice`, SLACK_IDS.sam!);
          return [given, await slackCommand("/lead", `accept #${id}`, SLACK_IDS.alice!)];
        }
        if (i % 3 === 1) return [await slackCommand("/lead", `return #${toReturn[j]!} no-contact`, SLACK_IDS.alice!)];
        const { id, rep } = toAccept[j]!;
        const answer = await postCallback(rig.bot.url, APP, textMessage(APP, { from: f.members[rep]!.wecomUserId!, content: `lead accept #${id}`, msgId: String(8_000_000_000 + id) }));
        return [answer.status === 200];
      });
      const answered = (await pool(3, tasks)).flat();
      commandsDone = true;
      while (down) await sleep(TICK_MS);

      // Recovery: wait (bounded) for the outbox to drain, the clock still running so retries come due.
      const deadline = Date.now() + scale(20_000, 120_000);
      while (Date.now() < deadline && (await f.db.prisma.outboxMessage.count({ where: { status: "pending" } })) > 0) await sleep(50);
      clearInterval(ticker);

      // What should have arrived: one post per member or team message (to wherever that target lives),
      // one update per card posted on Slack. What did: the fakes' successful calls, keyed the same way.
      const rows = await f.db.prisma.outboxMessage.findMany({ select: { targetKind: true, target: true, status: true, attempts: true, payload: true } });
      const targets = new Map<string, string>();
      for (const m of await f.db.prisma.memberIdentity.findMany({ select: { memberId: true, externalId: true } })) targets.set(m.externalId, `member ${m.memberId}`);
      for (const t of await f.db.prisma.teamChannel.findMany({ where: { kind: { in: ["channel", "chat"] } }, select: { teamKey: true, ref: true } })) targets.set(t.ref, `team ${t.teamKey}`);
      const expected = [
        ...rows.filter((r) => r.targetKind === "member" || r.targetKind === "team").map((r) => `${r.targetKind} ${r.target}: ${company(r.payload)}`),
        ...(await f.db.prisma.postedCard.findMany({ where: { platform: "slack" }, select: { ref: true } })).map((c) => `card ${c.ref}`),
      ];
      const wecomSent = (api: string) => wecom.callsTo(api).filter((c) => c.response.errcode === 0);
      const arrived = [
        ...slack.callsTo("chat.postMessage").map((c) => `${targets.get(String(c.body.channel)) ?? String(c.body.channel)}: ${company(c.body)}`),
        ...slack.callsTo("chat.update").map((c) => `card ${String(c.body.ts)}`),
        ...wecomSent("message/send").map((c) => `${targets.get(String(c.body.touser)) ?? String(c.body.touser)}: ${company(c.body)}`),
        ...wecomSent("appchat/send").map((c) => `${targets.get(String(c.body.chatid)) ?? String(c.body.chatid)}: ${company(c.body)}`),
      ];
      const tally = (keys: readonly string[]) => keys.reduce((m, key) => m.set(key, (m.get(key) ?? 0) + 1), new Map<string, number>());
      const want = tally(expected);
      const got = tally(arrived);
      const lost = [...want].reduce((n, [key, count]) => n + Math.max(0, count - (got.get(key) ?? 0)), 0);
      const duplicates = [...want].reduce((n, [key, count]) => n + Math.max(0, (got.get(key) ?? 0) - count), 0);
      const strays = arrived.filter((key) => !want.has(key));
      const unsettled = rows.filter((r) => r.status !== "sent").length;
      // The bot took a new token after WeCom's last 42001, and delivered with it.
      const calls = wecom.calls;
      const lastExpired = calls.map((c) => c.response.errcode).lastIndexOf(42001);
      const refreshed = lastExpired >= 0 && calls.slice(lastExpired).some((c) => c.api === "gettoken" && c.response.errcode === 0);
      const refused = answered.filter((ok) => !ok).length;

      record({
        scenario: `Slack and WeCom down ${OUTAGE_MS / 60_000} min: 500, 429, -1, 42001 (${name})`, cases: expected.length,
        failures: refused + unsettled + strays.length + seen.early + Number(!refreshed), lost, duplicates,
      });
      expect(refused).toBe(0);
      expect({ lost, duplicates, strays }).toEqual({ lost: 0, duplicates: 0, strays: [] });
      expect(rows.filter((r) => r.status !== "sent").map((r) => `${r.targetKind} ${r.target}: ${r.status}`)).toEqual([]);
      expect(seen.early).toBe(0);
      expect(refreshed).toBe(true);
      // Every command's message is accounted for: a post for each, and one card update per reassignment.
      expect(expected).toHaveLength(COMMANDS + third);
      // The outage really happened, with every kind of failure, and held messages back.
      expect(Math.min(seen.slack500, seen.slack429, seen.wecomBusy)).toBeGreaterThan(0);
      expect(rows.some((r) => r.attempts > 0)).toBe(true);
    } finally {
      clearInterval(ticker);
      slack.failWhen = null;
      wecom.failWhen = null;
    }
  });
});
