// Text people supply (web-form company names, reasons, notes) reaches Slack and WeCom as text, never as markup.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHook } from "../../src/platforms/hooks/signature.js";
import { freshSqliteUrl } from "../support/databases.js";
import { commandBody, postToBot } from "../support/fake-slack.js";
import { postCallback, textMessage } from "../support/fake-wecom.js";
import { APP, FORM, HOOK_SECRET, SECRET, SLACK_IDS, startRig, WECOM_IDS, type Rig } from "../chaos/harness.js";

const SLACK_NAME = "<!channel> <https://evil.example|Click> <@U_ADMIN> & Co";
const WECOM_NAME = "[点此验证](https://evil.example) <font color=\"warning\">紧急</font> <@WAda>";
const NOTE = "<!here> [点此](https://evil.example) <a href=\"https://evil.example\">x</a>";
// The WeCom callback reader refuses any `<!` in a callback, CDATA or not, so WeCom's note goes without one.
const WECOM_NOTE = "[点此](https://evil.example) <a href=\"https://evil.example\">x</a>";

/** Posts a signed lead and a webinar to the rig's hooks: a CTO at a 300-person SaaS in China plus a webinar and a pricing visit is an MQL. */
async function hotLead(rig: Rig, company: string, domain: string): Promise<number> {
  const post = async (path: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const res = await fetch(`${rig.bot.url}${path}`, {
      method: "POST", body, headers: { "content-type": "application/json", "x-funnel-signature": signHook(HOOK_SECRET, body, Math.floor(rig.f.ctx.clock().getTime() / 1000)) },
    });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as { accountId: number };
  };
  const { accountId } = await post("/hooks/leads", { company, email: `cto@${domain}`, title: "CTO", size: 300, industry: "saas", region: "cn" });
  await post("/hooks/activity", { email: `cto@${domain}`, type: "webinar" });
  await post("/hooks/activity", { email: `cto@${domain}`, type: "pricing-visit" });
  await expect.poll(async () => (await rig.f.db.prisma.account.findUniqueOrThrow({ where: { id: accountId } })).stage).toBe("MQL");
  return accountId;
}

async function ownerOf(rig: Rig, id: number): Promise<string> {
  return (await rig.f.db.prisma.account.findUniqueOrThrow({ where: { id }, select: { owner: { select: { handle: true } } } })).owner!.handle;
}

/** Every string Slack reads as mrkdwn in a message: its top-level `text` and every `{ type: "mrkdwn", text }`. */
function mrkdwnStrings(body: Record<string, unknown>): string[] {
  const out: string[] = typeof body.text === "string" ? [body.text] : [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== "object") return;
    const o = value as Record<string, unknown>;
    if (o.type === "mrkdwn" && typeof o.text === "string") out.push(o.text);
    Object.values(o).forEach(walk);
  };
  walk(body.blocks);
  return out;
}

describe("people's text reaches chat as text, in every field", () => {
  let slackRig: Rig;
  let wecomRig: Rig;
  beforeAll(async () => {
    slackRig = await startRig(freshSqliteUrl());
    wecomRig = await startRig(freshSqliteUrl(), { wecomOnly: true });
  });
  afterAll(async () => {
    await slackRig?.close();
    await wecomRig?.close();
  });

  it("Slack: a lead named <!channel> <https://…|Click> notifies nobody and links nowhere, in text and blocks, card and return notice", async () => {
    const rig = slackRig;
    const id = await hotLead(rig, SLACK_NAME, "evil-slack.example");
    const rep = await ownerOf(rig, id);
    await rig.slack.waitFor("chat.postMessage", (c) => c.body.channel === "C_SALES" && String(c.body.text).includes(`#${id}`));
    const returned = await postToBot(`${rig.bot.url}/slack/events`, SECRET, commandBody(rig.slack, { command: "/lead", text: `return #${id} other ${NOTE}`, userId: SLACK_IDS[rep]! }), FORM);
    expect(returned.status).toBe(200);
    await rig.slack.waitFor("chat.postMessage", (c) => c.body.channel === "C_MKT" && String(c.body.text).includes(`#${id}`));

    const sent = [returned.json(), ...rig.slack.calls.filter((c) => ["chat.postMessage", "chat.update", "response_url"].includes(c.method)).map((c) => c.body)];
    const live = sent.flatMap(mrkdwnStrings).filter((s) => s.includes("evil") || s.includes("channel") || s.includes("here"));
    expect(live.length).toBeGreaterThan(2);
    for (const text of live) {
      expect(text).not.toMatch(/<!channel>|<!here>|<https?:|<@U/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    // The top-level text, which drives notifications, names the lead as typed, escaped.
    const card = rig.slack.callsTo("chat.postMessage").find((c) => c.body.channel === "C_SALES" && String(c.body.text).includes(`#${id}`))!;
    expect(String(card.body.text)).toContain("&lt;!channel&gt; &lt;https://evil.example|Click&gt; &lt;@U_ADMIN&gt; &amp; Co");
  });

  it("WeCom: a lead named [点此验证](https://…) is no link in markdown, no <a> in text, and plain in the template card", async () => {
    const rig = wecomRig;
    const id = await hotLead(rig, WECOM_NAME, "evil-wecom.example");
    const rep = await ownerOf(rig, id);
    const card = await rig.wecom.waitFor("message/send", (c) => c.body.msgtype === "template_card" && c.body.touser === WECOM_IDS[rep]);
    await rig.wecom.waitFor("appchat/send", (c) => JSON.stringify(c.body).includes(`#${id}`));
    const returned = await postCallback(rig.bot.url, APP, textMessage(APP, { from: WECOM_IDS[rep]!, content: `lead return #${id} other ${WECOM_NOTE}`, msgId: "77001" }));
    expect(returned.status).toBe(200);
    await rig.wecom.waitFor("appchat/send", (c) => JSON.stringify(c.body).includes("evil.example") && c.body.chatid === "wrMarketing");
    await rig.wecom.waitFor("message/send", (c) => c.body.touser === WECOM_IDS[rep] && c.body.msgtype !== "template_card");

    const bodies = rig.wecom.calls.filter((c) => ["appchat/send", "webhook/send", "message/send"].includes(c.api)).map((c) => c.body);
    const of = (kind: "markdown" | "text") => bodies.map((b) => (b[kind] as { content?: string } | undefined)?.content ?? "").filter((s) => s.includes("evil"));
    const markdown = of("markdown");
    const text = of("text");
    expect(markdown.length).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
    // Markdown: no link, tag or mention. Text messages render only `<a href>` links, so none of those.
    for (const content of markdown) expect(content).not.toMatch(/\]\(https?:|<font|<a |<@/);
    for (const content of text) expect(content).not.toMatch(/<a[\s>]/i);
    expect(markdown.join("\n")).toContain("［点此验证］(https://evil.example)");
    // A template card's fields are plain text: the name is shown as typed, and no item is a link or a member.
    const template = card.body.template_card as { main_title: { title: string }; horizontal_content_list?: { type?: number }[] };
    expect(JSON.stringify(template)).toContain("点此验证");
    expect((template.horizontal_content_list ?? []).every((item) => item.type === undefined)).toBe(true);
  });
});
