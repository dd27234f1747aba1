import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../src/bot.js";
import { bantForm } from "../../src/commands/render-reply.js";
import { TOKEN_HEADER } from "../../src/platforms/playground/app.js";
import { escapeHtml, formHtml, replyHtml } from "../../src/platforms/playground/html.js";
import { runCommand } from "../../src/services/run-command.js";
import { findAccount } from "../../src/store/accounts.js";
import { upsertTeam } from "../../src/store/teams.js";
import { freshSqliteUrl } from "../support/databases.js";
import { FakeSlack } from "../support/fake-slack.js";
import { openFixture, tableCounts, type Fixture } from "../support/fixture.js";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";

/** A browser's view of the playground: the cookie from the token link, the token header on POSTs. */
class Page {
  cookie = "";
  constructor(readonly base: string) {}
  async signIn(): Promise<Response> {
    const response = await fetch(`${this.base}/?token=${TOKEN}`, { redirect: "manual" });
    this.cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
    return response;
  }
  get(path: string): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: { cookie: this.cookie } });
  }
  post(path: string, body: unknown, headers: Record<string, string> = { [TOKEN_HEADER]: TOKEN, "content-type": "application/json" }): Promise<Response> {
    return fetch(`${this.base}${path}`, { method: "POST", headers: { cookie: this.cookie, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  }
  async command(as: string, line: string, extra: Record<string, unknown> = {}) {
    const response = await this.post("/playground/api/command", { as, line, ...extra });
    expect(response.status).toBe(200);
    return (await response.json()) as { text: string; html: string; errorCode: string | null; form: string | null; ephemeral: boolean; ran: string };
  }
  async feed(as: string) {
    const response = await this.get(`/playground/api/feed?as=${as}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { version: number; conversations: { key: string; kind: string; messages: { id: number; html: string; updated: boolean }[] }[] };
  }
}

/** What `probe` finds once the bot's outbox is drained: every message queued so far has been delivered. */
async function delivered<T>(bot: RunningBot, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  await bot.worker.idle();
  const value = await probe();
  if (!value) throw new Error("the playground does not show it once the outbox is drained");
  return value;
}

describe("the playground renders the reply model as escaped HTML", () => {
  it("escapes whatever a reply holds, in text, fields, lists and button commands", () => {
    const evil = `<img src=x onerror="alert(1)">`;
    const html = replyHtml({
      text: evil, ephemeral: true,
      blocks: [
        { kind: "heading", text: evil }, { kind: "text", text: `*bold* \`code\` ${evil}` }, { kind: "fields", fields: [{ label: evil, value: evil }] },
        { kind: "list", items: [evil], more: 3 }, { kind: "buttons", buttons: [{ label: evil, command: `lead accept "${evil}"` }] }, { kind: "divider" },
      ],
    }, "en");
    expect(html).not.toContain("<img");
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("…and 3 more");
    expect(html).toContain(`data-command="lead accept &quot;&lt;img`);
  });

  it("renders a form with its errors beside the fields and the command it submits to", () => {
    const form = bantForm({ id: 7, company: "Acme <b>" }, "zh-CN", { budget: "abc" }, { budget: "invalid-amount" });
    const html = formHtml(form, "zh-CN");
    expect(html).toContain("资格审查 Acme &lt;b&gt;");
    expect(html).toMatch(/data-field="budget"><label class="label">预算金额 <span class="required">\*<\/span><\/label><input[^>]*value="abc"[^>]*><small class="error">⚠️ 需为正数金额/);
    expect(html).toContain(escapeHtml(JSON.stringify({ command: "lead qualify #7", fields: form.fields.map((f) => ({ name: f.name, as: "pair" })) })));
    expect(html).toContain('type="radio" name="confirmed" value="yes"');
  });
});

describe("the playground API on the shared server, beside Slack", () => {
  let f: Fixture;
  let bot: RunningBot;
  let slack: FakeSlack;
  let page: Page;

  beforeAll(async () => {
    f = await openFixture(freshSqliteUrl());
    slack = new FakeSlack();
    await slack.start();
    await upsertTeam(f.db, { key: "sales", name: "Sales", slackChannel: "C_SALES" });
    bot = await startBot(f.ctx, {
      port: 0, host: "127.0.0.1", outboxIntervalMs: 25, scheduler: false, playground: { token: TOKEN },
      slack: { botToken: "xoxb-test-token", signingSecret: "secret", apiUrl: slack.apiUrl },
    }, pino({ level: "silent" }));
    page = new Page(bot.url);
  });
  afterAll(async () => {
    await bot?.close();
    await slack?.stop();
    await f?.close();
  });

  it("lets in only the holder of the start-up token, and writes nothing for anyone else", async () => {
    const before = await tableCounts(f.db);
    expect((await fetch(`${bot.url}/`)).status).toBe(401);
    expect((await fetch(`${bot.url}/?token=wrong`, { redirect: "manual" })).status).toBe(401);
    expect((await fetch(`${bot.url}/playground/api/bootstrap`)).status).toBe(401);
    const line = JSON.stringify({ as: "mark", line: "lead new Intruder Co" });
    const forged = await fetch(`${bot.url}/playground/api/command`, { method: "POST", headers: { "content-type": "application/json", [TOKEN_HEADER]: "nope" }, body: line });
    expect(forged.status).toBe(401);

    const signIn = await page.signIn();
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/");
    expect(signIn.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    // The cookie alone does not post: a cross-site form could carry it, but not the header nor a JSON type.
    expect((await page.post("/playground/api/command", line, { "content-type": "text/plain" })).status).toBe(401);
    expect((await page.post("/playground/api/command", line, { [TOKEN_HEADER]: TOKEN, "content-type": "text/plain" })).status).toBe(401);
    expect(await tableCounts(f.db)).toEqual(before);

    const home = await page.get("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await home.text();
    expect(html).toContain(`<meta name="funnelbot-token" content="${TOKEN}">`);
    expect(html).not.toMatch(/https?:\/\//);
    expect((await page.get("/playground/app.js")).status).toBe(200);
  });

  it("answers bad input with the same short errors as Slack, in the member's language, writing nothing", async () => {
    const before = await tableCounts(f.db);
    const unknownVerb = await page.command("alice", "/lead frobnicate 7");
    expect(unknownVerb.errorCode).toBe("usage");
    expect(unknownVerb.text).toContain("I don't know “frobnicate”");
    const missing = await page.command("chen", "线索 接受 不存在的公司");
    expect(missing.text).toContain("没有找到“不存在的公司”对应的客户");
    const stranger = await page.command("nobody", "/lead mine");
    expect(stranger.errorCode).toBe("unknown-member");
    const huge = await page.command("alice", `/lead new ${"x".repeat(15_000)}`);
    expect(huge.errorCode).toBe("invalid-text");
    expect(huge.html).not.toMatch(/at \w+ \(/);

    const garbage = await page.post("/playground/api/command", "{not json", { [TOKEN_HEADER]: TOKEN, "content-type": "application/json" });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toEqual({ error: "That request could not be read; nothing was changed." });
    const badForm = await page.post("/playground/api/form", { as: "alice", form: { command: "lead qualify #1", fields: [{ name: "Budget!", as: "pair" }] }, values: {} });
    expect(badForm.status).toBe(400);
    expect(await tableCounts(f.db)).toEqual(before);
  });

  it("shows the MQL card in the rep's DM and the channel, accepts it by its button and updates both copies in place", async () => {
    const created = await runCommand(f.ctx, f.members.mark!, "lead new Playground Pets --email hi@pets.example", { platform: "cli" });
    const id = Number(/#(\d+)/.exec(created.text)![1]);
    expect((await runCommand(f.ctx, f.members.mark!, `lead handoff #${id} --confirm all`, { platform: "cli" })).errorCode).toBeUndefined();
    const rep = (await findAccount(f.db, id))!.owner!;
    const handle = Object.values(f.members).find((m) => m.id === rep.id)!.handle;

    const card = await delivered(bot, async () => {
      const dm = (await page.feed(handle)).conversations.find((c) => c.kind === "dm")!;
      return dm.messages.find((m) => m.html.includes(`data-command="lead accept #${id}"`));
    });
    expect(card.html).toContain("Playground Pets");
    // The same card went to Slack's sales channel too: the playground shows messages, it does not take them.
    expect(slack.callsTo("chat.postMessage").some((c) => c.body.channel === "C_SALES" && JSON.stringify(c.body).includes("Playground Pets"))).toBe(true);

    const accepted = await page.command(handle, `lead accept #${id}`, { click: "click-0000001" });
    expect(accepted.errorCode).toBeNull();
    // The click is echoed as the person would type it, as a typed command is.
    expect(accepted.ran).toBe(`/lead accept #${id}`);
    expect((await page.command(handle, `lead show #${id}`, { click: "click-0000002", locale: "zh-CN" })).ran).toBe(`线索 查看 #${id}`);
    expect((await page.command(handle, `/lead show ${id}`)).ran).toBe(`/lead show ${id}`);
    expect((await findAccount(f.db, id))!.account.stage).toBe("SAL");
    // A double click is one action: the second answers from the first, and no second event is written.
    const events = await f.db.prisma.stageEvent.count({ where: { accountId: id } });
    await page.command(handle, `lead accept #${id}`, { click: "click-0000001" });
    expect(await f.db.prisma.stageEvent.count({ where: { accountId: id } })).toBe(events);

    const updated = await delivered(bot, async () => {
      const feed = await page.feed(handle);
      const copies = feed.conversations.flatMap((c) => c.messages.filter((m) => m.id === card.id || (c.key === "team:sales" && m.updated && m.html.includes("Playground Pets"))));
      return copies.length >= 2 && copies.every((m) => m.updated) ? copies : null;
    });
    for (const copy of updated) {
      expect(copy.html).toMatch(/Playground Pets \(#\d+\): MQL → Sales accepted/);
      expect(copy.html).not.toContain("data-command");
    }
    expect(slack.callsTo("chat.update").some((c) => JSON.stringify(c.body).includes("Sales accepted"))).toBe(true);
    expect(await f.db.prisma.postedCard.count({ where: { accountId: id, platform: "playground", live: true } })).toBe(0);
  });

  it("qualifies through the BANT form: field errors keep the form and write nothing, a good submission moves the account", async () => {
    const created = await runCommand(f.ctx, f.members.mark!, "lead new Form Factory", { platform: "cli" });
    const id = Number(/#(\d+)/.exec(created.text)![1]);
    await runCommand(f.ctx, f.members.mark!, `lead handoff #${id} --confirm all`, { platform: "cli" });
    const rep = (await findAccount(f.db, id))!.owner!;
    const handle = Object.values(f.members).find((m) => m.id === rep.id)!.handle;
    await runCommand(f.ctx, f.members[handle]!, `lead accept #${id}`, { platform: "cli" });

    const opened = await page.command(handle, `lead qualify #${id}`);
    expect(opened.form).toContain(`lead qualify #${id}`);
    const fields = ["budget", "currency", "confirmed", "dm", "role", "engaged", "need", "usecase", "date"].map((name) => ({ name, as: "pair" }));
    const form = { command: `lead qualify #${id}`, fields };
    const before = await tableCounts(f.db);
    const refused = await page.post("/playground/api/form", { as: handle, form, values: { budget: "lots", confirmed: "yes", dm: "Li Wei", engaged: "yes", need: "Bulk mail", date: "someday" } });
    const refusal = (await refused.json()) as { errorCode: string; form: string };
    expect(refusal.errorCode).toBe("invalid-form");
    expect(refusal.form).toMatch(/data-field="budget"[^]*class="error"/);
    expect(refusal.form).toMatch(/data-field="date"[^]*class="error"/);
    expect(await tableCounts(f.db)).toEqual(before);

    const passed = await page.post("/playground/api/form", { as: handle, form, values: { budget: "50000", currency: "CNY", confirmed: "yes", dm: "Li Wei", engaged: "yes", need: "Bulk mail", date: "2027-03-01" } });
    const answer = (await passed.json()) as { errorCode: string | null; html: string; ran: string };
    expect(answer.errorCode).toBeNull();
    expect(answer.ran).toMatch(new RegExp(`^/lead qualify #${id} budget=50000 `));
    expect(answer.html).toContain("qualified");
    expect((await findAccount(f.db, id))!.account.stage).toBe("SQL");
    expect(await f.db.prisma.bantAnswer.count({ where: { accountId: id, passed: true } })).toBe(1);
  });

  it("shows a refused submission in the form itself: a checklist with nothing ticked, a next step in the past", async () => {
    const now = f.clock.read();
    const { id } = await f.db.prisma.account.create({ data: { company: "Dialog Checklist Co", stage: "P1", stageEnteredAt: now, lastActivityAt: now, createdAt: now, ownerId: f.members.carl!.id } });
    const opened = await page.command("carl", `account advance #${id}`);
    expect(opened.form).toContain(`account advance #${id}`);
    const form = { command: `account advance #${id}`, fields: [{ name: "confirm", as: "flag" }, { name: "override", as: "flag" }] };
    const submit = async (as: string, values: Record<string, string | string[]>, locale?: string) =>
      (await (await page.post("/playground/api/form", { as, form, values, ...(locale ? { locale } : {}) })).json()) as { errorCode: string; form: string };
    const none = await submit("carl", { confirm: [] });
    expect(none.errorCode).toBe("checklist-incomplete");
    // Worded for the form: the unticked items by their labels beside the boxes, never the typed command's flags or keys.
    expect(none.form).toMatch(/data-field="confirm"[^]*class="error">⚠️ Tick what is done: “Kick-off held, contacts named”, “Customer calling the API \/ SMTP”\.</);
    expect(none.form).not.toMatch(/--confirm|--override|kickoff-held \(/);
    // A rep is not offered the override; what was ticked stays ticked, and only the rest is named.
    expect(none.form).not.toMatch(/data-field="override"[^]*class="error"/);
    const half = await submit("carl", { confirm: ["kickoff-held"] });
    expect(half.form).toMatch(/value="kickoff-held" checked/);
    expect(half.form).toMatch(/class="error">⚠️ Tick what is done: “Customer calling the API \/ SMTP”\.</);
    // A manager is told, beside the override field, that they may skip the checklist with a reason; in Chinese too.
    const manager = await submit("cathy", { confirm: [] }, "zh-CN");
    expect(manager.form).toMatch(/class="error">⚠️ 请勾选已完成的项:“已开启动会,明确对接人”、“客户已开始调用 API 或配置 SMTP”。</);
    expect(manager.form).toMatch(/data-field="override"[^]*class="error">⚠️ 作为经理,你也可以在此填写原因后跳过。</);
    expect((await f.db.prisma.account.findUniqueOrThrow({ where: { id } })).stage).toBe("P1");
    // A typed command keeps the command line's wording.
    expect((await page.command("carl", `account advance #${id} --confirm kickoff-held`)).text).toContain("Add `--confirm all` once they're done");
    // The [Next step] button of the account view opens a date-and-note form; a past date comes back beside the date.
    const shown = await page.command("carl", `lead show #${id}`);
    expect(shown.html).toContain(`data-command="account next #${id}"`);
    const next = await page.command("carl", `account next #${id}`);
    expect(next.form).toContain('data-field="date"');
    const nextForm = { command: `account next #${id}`, fields: [{ name: "date", as: "positional" }, { name: "note", as: "positional" }] };
    const past = (await (await page.post("/playground/api/form", { as: "carl", form: nextForm, values: { date: "2020-01-01", note: "call them" } })).json()) as { errorCode: string; form: string };
    expect(past.errorCode).toBe("invalid-form");
    expect(past.form).toMatch(/data-field="date"[^]*class="error"/);
  });

  it("labels each member in the picker by role and team kind: a CS rep is a CSM (客户成功), not 销售", async () => {
    const boot = (await (await page.get("/playground/api/bootstrap")).json()) as { members: { handle: string; roleName: Record<"en" | "zh-CN", string> }[] };
    const role = (handle: string) => boot.members.find((m) => m.handle === handle)!.roleName;
    expect(role("carl")).toEqual({ en: "CSM", "zh-CN": "客户成功" });
    expect(role("alice")).toEqual({ en: "sales rep", "zh-CN": "销售" });
    expect(role("mark")).toEqual({ en: "marketer", "zh-CN": "市场专员" });
    expect(role("tom")).toEqual({ en: "support engineer", "zh-CN": "技术支持" });
    expect(role("cathy")).toEqual({ en: "manager", "zh-CN": "经理" });
    expect(role("admin")).toEqual({ en: "admin", "zh-CN": "管理员" });
  });

  it("shows my accounts and any team's digest on demand, in the language asked for", async () => {
    const home = (await (await page.get("/playground/api/home?as=alice&locale=zh-CN")).json()) as { html: string };
    expect(home.html).toMatch(/我的客户|你目前没有进行中的客户/);
    const digest = await page.command("sam", "/funnel digest cs");
    expect(digest.html).toContain("Customer success daily digest");
  });
});
