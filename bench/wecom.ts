/**
 * The WeCom callback benchmark, run in a process of its own (`node --import tsx bench/wecom.ts`, one JSON
 * line out): the real `/wecom/callback` handler (verify the signature, decrypt with every check, parse the
 * XML, handle) called in a loop on prepared callbacks, against `@wecom/crypto`'s `decrypt` alone on the
 * same ciphertexts. The two loops alternate, three rounds each, and the median round counts.
 *
 * Two messages: an event the bot has nothing to do for (the callback pipeline alone), and a text command
 * from a member (`lead show`: the delivery claimed in the database, the command run, the answer queued).
 */
import { Readable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import { decrypt } from "@wecom/crypto";
import { pino } from "pino";
import { createWecom } from "../src/platforms/wecom/app.js";
import { envelope, sealFor, signedQuery, textMessage, type WecomTestApp } from "../test/support/fake-wecom.js";
import { migrate, openDatabase } from "../src/store/database.js";
import { upsertMember } from "../src/store/members.js";
import { upsertTeam } from "../src/store/teams.js";
import { PlaybookSchema } from "../src/domain/playbook.js";
import { emailSaas } from "../src/domain/presets/email-saas.js";
import { teamCalendars } from "../src/wiring.js";
import { peakRss } from "../test/support/processes.js";

const APP: WecomTestApp = { corpId: "wwbenchcorp", agentId: 1000002, secret: "bench-secret", token: "benchToken", encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" };
const roundMs = Number(process.env.WECOM_ROUND_MS ?? 1500);
const url = process.env.DATABASE_URL!;

const db = await openDatabase(url);
await migrate(db, url);
await upsertTeam(db, { key: "sales", name: "Sales" });
await upsertMember(db, { handle: "chen", displayName: "陈晨", teamKey: "sales", role: "rep", locale: "zh-CN", wecomUserId: "ChenChen" });
const account = await db.prisma.account.create({ data: { company: "WeCom Bench Co", stage: "MQL", stageEnteredAt: new Date(), lastActivityAt: new Date() }, select: { id: true } });
const calendars = teamCalendars({ FUNNEL_CALENDAR: undefined, TZ: undefined }, new Date());
const ctx = { db, playbook: PlaybookSchema.parse(emailSaas), calendar: calendars.default, calendars, clock: () => new Date() };
// The outbox worker is not started: the queued answers stay in the database, out of the measurement.
const wecom = createWecom(ctx, { ...APP, apiUrl: "http://127.0.0.1:9/" }, pino({ level: "silent" }));

interface Prepared { readonly query: string; readonly body: string; readonly encrypted: string }
let msgId = 0;
const prepare = (message: () => string, n: number): Prepared[] =>
  Array.from({ length: n }, () => {
    const encrypted = sealFor(APP, message());
    return { query: signedQuery(APP, encrypted), body: envelope(APP, encrypted), encrypted };
  });
const eventXml = () => `<xml><ToUserName><![CDATA[${APP.corpId}]]></ToUserName><FromUserName><![CDATA[ChenChen]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>${APP.agentId}</AgentID></xml>`;
const textXml = () => textMessage(APP, { from: "ChenChen", content: `线索 查看 #${account.id}`, msgId: String(10_000_000 + ++msgId) });

/** One call of the route handler, with the request as node:http would hand it over. */
async function callHandler(p: Prepared): Promise<number> {
  const req = Readable.from([Buffer.from(p.body)]) as unknown as IncomingMessage;
  Object.assign(req, { method: "POST", url: `/wecom/callback?${p.query}`, headers: { "content-type": "text/xml", "content-length": String(Buffer.byteLength(p.body)) } });
  let status = 0;
  const res = { writeHead(code: number) { status = code; return res; }, end() { return res; } } as unknown as ServerResponse;
  await wecom.handler(req, res);
  return status;
}

/** Operations per second of `op` over `roundMs`, cycling through `items`. */
async function rate<T>(items: readonly T[], op: (item: T) => unknown): Promise<number> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < roundMs) {
    await op(items[n % items.length]!);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(items: Prepared[], fresh: () => Prepared[]): Promise<{ handler: number; decrypt: number; failures: number }> {
  const handler: number[] = [];
  const alone: number[] = [];
  let failures = 0;
  for (let round = 0; round < 3; round++) {
    alone.push(await rate(items, (p) => decrypt(APP.encodingAesKey, p.encrypted)));
    const batch = fresh();
    handler.push(await rate(batch, async (p) => {
      if ((await callHandler(p)) !== 200) failures++;
    }));
  }
  return { handler: median(handler), decrypt: median(alone), failures };
}

const events = prepare(eventXml, 2000);
// Text commands must carry distinct MsgIds (a repeat is a re-push and does nothing), so each round gets new ones.
const texts = () => prepare(textXml, 3000);
await compare(events.slice(0, 200), () => events.slice(0, 200)); // warm-up
const event = await compare(events, () => events);
const text = await compare(texts(), texts);
const handled = await db.prisma.processedDelivery.count();
await db.close();
console.log(JSON.stringify({ event, text, handled, peakRss: peakRss(process.pid) }));
