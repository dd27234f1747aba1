import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parser.js";
import { freshSqliteUrl } from "../support/databases.js";
import { postToBot } from "../support/fake-slack.js";
import { postCallback, textMessage } from "../support/fake-wecom.js";
import { fuzzParameters } from "../support/fuzz.js";
import { APP, FORM, record, scale, SECRET, SLACK_IDS, startRig, WECOM_IDS, type Rig } from "./harness.js";

// Words the parser knows, so that random input often gets deep into it rather than failing at the verb.
const WORDS = ["/lead", "/account", "/funnel", "lead", "account", "线索", "客户", "漏斗", "accept", "new", "return", "qualify", "advance", "接受", "推进", "退回", "#1", "42", "--confirm", "all", "--amount", "budget=5万", "dm=李伟", "date=2027-01-01", "--override", "\"", "'", "＃", "　", "member", "add", "validate", "sales", "rep", "<@U_ALICE|alice>"];
/** JavaScript's built-in property names: a lookup table that is a plain object answers to them. */
const PROTOTYPE_WORDS = ["constructor", "__proto__", "valueOf", "toString", "hasOwnProperty", "prototype", "isPrototypeOf"];
const line = fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...PROTOTYPE_WORDS), fc.string({ maxLength: 12 })), { maxLength: 12 }).map((w) => w.join(" ")));
/** Every line a command template makes with a prototype-named word in each of its places. */
const PROTOTYPE_LINES = PROTOTYPE_WORDS.flatMap((w) => [
  `/funnel member add <@U_ALICE|alice> sales ${w}`, `/funnel member add <@U_ALICE|alice> ${w} rep`, `/funnel ${w}`, `/funnel digest ${w}`,
  `/account validate 1 ${w}`, `/account advance 1 ${w}`, `/account ${w} 1`, `/lead ${w} 1`, `/lead qualify 1 ${w}=yes`, `/lead return 1 ${w}`, `/lead help ${w}`,
]);

describe("chaos: property-based fuzzing", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(freshSqliteUrl());
  });
  afterAll(async () => rig?.close());

  it("the parser never throws, and every refusal carries a code", () => {
    const runs = scale(2_000, 20_000);
    fc.assert(fc.property(fc.oneof(line, fc.string({ unit: "binary", maxLength: 3000 })), (text) => {
      const parsed = parseCommand(text);
      if (!parsed.ok) expect(parsed.error.code).toMatch(/^[a-z-]+$/);
    }), fuzzParameters(runs));
    record({ scenario: "fuzz: command parser", cases: runs, failures: 0, lost: 0, duplicates: 0 });
  });

  it("Slack: random signed commands and payloads never get a 5xx, and every answer is a readable sentence", { timeout: scale(120_000, 900_000) }, async () => {
    // Bodies no listener matches wait out Bolt's 2.9 s unhandled-request timer, so they go in batches at once.
    const batches = scale(4, 40);
    const size = scale(10, 50);
    const runs = batches * size;
    const command = fc.tuple(fc.constantFrom("/lead", "/account", "/funnel"), line).map(([name, text]) => new URLSearchParams({ command: name, text, user_id: SLACK_IDS.alice!, team_id: "T0001", trigger_id: `t.${Math.random()}`, response_url: `${rig.slack.url}/response/fuzz`, channel_id: "C1", api_app_id: "A0001", token: "t" }).toString());
    const payload = fc.jsonValue({ maxDepth: 3 }).map((v) => `payload=${encodeURIComponent(JSON.stringify(v))}`);
    const garbage = fc.string({ maxLength: 500 });
    let failures = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(command, command, command, payload, garbage), { minLength: size, maxLength: size }), async (bodies) => {
      // Slack gives up after 3 s: an answer that takes 10 is as bad as a 5xx, and must not hang the suite.
      const answers = await Promise.all(bodies.map((body) => postToBot(`${rig.bot.url}/slack/events`, SECRET, body, FORM, {}, AbortSignal.timeout(10_000)).catch((error: unknown) => {
        throw new Error(`no answer within 10 s to ${JSON.stringify(body).slice(0, 300)}: ${String(error)}`);
      })));
      // Each answer is checked with its body, so that a failure names the request even before any shrinking.
      for (const [index, answer] of answers.entries()) {
        const body = bodies[index]!.slice(0, 300);
        if (answer.status >= 500) failures++;
        expect(answer.status, `the answer to ${body}`).toBeLessThan(500);
        if (answer.status === 200 && answer.text.startsWith("{")) {
          const text = String(answer.json().text ?? "");
          expect(text, `the answer to ${body}`).not.toMatch(/\bat .+\.(ts|js):\d+|TypeError|undefined|\[object Object\]/);
        }
      }
    }), fuzzParameters(batches));
    record({ scenario: "fuzz: Slack /slack/events", cases: runs, failures, lost: 0, duplicates: 0 });
  });

  it("Slack: a signed body that parses to null or a number is refused with a 400, and the server lives on", async () => {
    for (const [body, type] of [["payload=null", FORM], ["payload=7", FORM], ["null", "application/json"], ["42", "application/json"]] as const) {
      const answer = await postToBot(`${rig.bot.url}/slack/events`, SECRET, body, type, {}, AbortSignal.timeout(5_000));
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
    expect((await fetch(`${rig.bot.url}/healthz`)).status).toBe(200);
  });

  it("prototype-named words (constructor, __proto__, valueOf …) in every place of a command get a readable answer from Slack and WeCom, never a 5xx", { timeout: 60_000 }, async () => {
    let failures = 0;
    let msgId = 8_000_000_000;
    for (const text of PROTOTYPE_LINES) {
      const [name, ...rest] = text.split(" ");
      for (const as of [SLACK_IDS.admin!, SLACK_IDS.alice!]) {
        const body = new URLSearchParams({ command: name!, text: rest.join(" "), user_id: as, team_id: "T0001", trigger_id: `t.${Math.random()}`, response_url: `${rig.slack.url}/response/proto`, channel_id: "C1", api_app_id: "A0001", token: "t" }).toString();
        const answer = await postToBot(`${rig.bot.url}/slack/events`, SECRET, body, FORM, {}, AbortSignal.timeout(10_000));
        const readable = answer.status === 200 && (answer.text === "" || !/\bat .+\.(ts|js):\d+|TypeError|undefined|\[object Object\]/.test(String(answer.json().text ?? "")));
        if (!readable) failures++;
        expect({ text, as, status: answer.status, readable }).toEqual({ text, as, status: 200, readable: true });
      }
      const wecom = await postCallback(rig.bot.url, APP, textMessage(APP, { from: WECOM_IDS.admin!, content: text.slice(1), msgId: String(++msgId) }));
      if (wecom.status >= 500) failures++;
      expect({ text, status: wecom.status }).toEqual({ text, status: 200 });
    }
    // The admin's role is untouched: no word made `member add` do something it should not.
    expect(await rig.f.db.prisma.member.findUniqueOrThrow({ where: { handle: "alice" }, select: { role: true } })).toEqual({ role: "rep" });
    record({ scenario: "fuzz: prototype-named words", cases: PROTOTYPE_LINES.length * 3, failures, lost: 0, duplicates: 0 });
  });

  it("WeCom: random signed messages, and random XML, never get a 5xx", async () => {
    const runs = scale(150, 2_000);
    let msgId = 9_000_000_000;
    const text = line.map((content) => textMessage(APP, { from: WECOM_IDS.alice!, content, msgId: String(++msgId) }));
    const xml = fc.oneof(fc.string({ maxLength: 400 }), fc.dictionary(fc.stringMatching(/^[A-Za-z]{1,12}$/), fc.string({ maxLength: 40 })).map((d) => `<xml>${Object.entries(d).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join("")}</xml>`));
    let failures = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(text, xml), async (message) => {
      const answer = await postCallback(rig.bot.url, APP, message);
      if (answer.status >= 500) failures++;
      expect(answer.status).toBeLessThan(500);
    }), fuzzParameters(runs));
    // Everything the texts asked for was answered to the member, in words, with no stack trace.
    const answers = await rig.f.db.prisma.outboxMessage.findMany({ where: { targetKind: "member" }, select: { payload: true } });
    for (const a of answers) expect(a.payload).not.toMatch(/\bat .+\.(ts|js):\d+|TypeError/);
    record({ scenario: "fuzz: WeCom /wecom/callback", cases: runs, failures, lost: 0, duplicates: 0 });
  });
});

describe("chaos: inputs fuzzing found", () => {
  it("treats __proto__ and constructor as unknown words, not as the object prototype", () => {
    for (const text of ["__proto__", "constructor", "help __proto__", "toString"]) {
      const parsed = parseCommand(text);
      const topic = parsed.ok && parsed.value.verb === "help" ? (parsed.value as { topic?: unknown }).topic : null;
      expect(topic === null || topic === undefined || typeof topic === "string").toBe(true);
    }
  });
});
