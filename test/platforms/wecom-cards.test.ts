import { decrypt, encrypt, getSignature } from "@wecom/crypto";
import { describe, expect, it } from "vitest";
import type { Block, Reply } from "../../src/commands/reply.js";
import { bantForm } from "../../src/commands/render-reply.js";
import { reasonForm } from "../../src/commands/render-notice.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { WECOM } from "../../src/platforms/limits.js";
import { spokenCommand } from "../../src/commands/vocabulary.js";
import { accountOfTask, buttonCard, formLines, outcomeCard, replyMarkdown, replyText, taskIdFor } from "../../src/platforms/wecom/cards.js";
import { splitUtf8 } from "../../src/platforms/wecom/client.js";
import { decryptMessage, openCallback, sealReply, WecomCryptoError } from "../../src/platforms/wecom/crypto.js";
import { readXmlFields } from "../../src/platforms/wecom/xml.js";
import { encryptRaw, plaintextLayout } from "../support/fake-wecom.js";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const reply = (blocks: Block[], text = "reply"): Reply => ({ text, blocks, ephemeral: false });
const KEYS = { token: "tok", encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corpId: "wwcorp" };
const playbook = PlaybookSchema.parse(emailSaas);

describe("WeCom text within byte limits", () => {
  it("splits on line boundaries, and inside a line only between characters", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `第 ${i} 行:营销合格线索`);
    const pieces = splitUtf8(lines.join("\n"), WECOM.appText);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(bytes(piece)).toBeLessThanOrEqual(WECOM.appText);
    expect(pieces.join("\n")).toBe(lines.join("\n"));
    const long = "漏".repeat(2000);
    const cut = splitUtf8(long, WECOM.appText);
    expect(cut.join("")).toBe(long);
    for (const piece of cut) expect(bytes(piece)).toBeLessThanOrEqual(WECOM.appText);
  });

  it("cuts a long reply to one message with \"…还有 N 条\", keeping the commands to act", () => {
    const items = Array.from({ length: 200 }, (_, i) => `#${i} 某某科技有限公司 — 营销合格线索 ⏰ 已超时`);
    const long = reply([{ kind: "heading", text: "我的客户" }, { kind: "list", items }, { kind: "buttons", buttons: [{ label: "接受", command: "lead accept #7" }] }]);
    const text = replyText(long, "zh-CN");
    expect(bytes(text)).toBeLessThanOrEqual(WECOM.appText);
    const shown = text.split("\n").filter((l) => l.startsWith("#")).length;
    expect(text).toContain(`…还有 ${200 - shown} 条`);
    expect(text).toContain("→ 接受:线索 接受 #7");
    const english = replyText(long, "en", 500);
    expect(bytes(english)).toBeLessThanOrEqual(500);
    expect(english).toMatch(/…and \d+ more/);
  });

  it("cuts one overlong line too, and keeps robot markdown under its own limit with tags escaped", () => {
    const text = replyText(reply([{ kind: "text", text: "字".repeat(5000) }]), "zh-CN");
    expect(bytes(text)).toBeLessThanOrEqual(WECOM.appText);
    const md = replyMarkdown(reply([{ kind: "heading", text: "Digest <@all>" }, { kind: "list", items: Array.from({ length: 400 }, (_, i) => `line ${i} <font color="warning">x</font>`) }]), "en");
    expect(bytes(md)).toBeLessThanOrEqual(WECOM.robotMarkdown);
    expect(md.startsWith("**Digest ＜@all＞**")).toBe(true);
    expect(md).not.toMatch(/<font|<@/);
  });
});

describe("WeCom forms as text", () => {
  it("turns the BANT form into a line to fill in, in Chinese keys for Chinese speakers", () => {
    const zh = formLines(bantForm({ id: 42, company: "Acme" }, "zh-CN"), "zh-CN");
    expect(zh).toContain("线索 资格 #42 预算=… 预算确认=是/否 决策人=… 已参与=是/否 需求=… 时间=YYYY-MM-DD");
    const en = formLines(bantForm({ id: 42, company: "Acme" }, "en", { budget: "5 万", dm: "Li Wei" }, { budget: "invalid-amount" }), "en");
    expect(en).toContain('lead qualify #42 budget="5 万" confirmed=yes/no dm="Li Wei" engaged=yes/no need=… date=YYYY-MM-DD');
    expect(en.some((l) => /^⚠️ Budget amount: /.test(l))).toBe(true);
  });

  it("turns a reason form into a numbered list answered by number or words", () => {
    const lines = formLines(reasonForm(playbook, Object.keys(playbook.reasons)[0]!, "lead return #42", "Return", "zh-CN"), "zh-CN");
    expect(lines[1]).toMatch(/^1\. /);
    expect(lines.at(-1)).toBe("回复:线索 退回 #42 <编号或原因> [补充说明]");
    expect(spokenCommand("account advance #3", "zh-CN")).toBe("客户 推进 #3");
    expect(spokenCommand("funnel", "en")).toBe("funnel");
  });
});

describe("WeCom template cards", () => {
  it("carries at most six unique buttons, each keyed by its command, under a valid task_id", () => {
    const buttons = Array.from({ length: 9 }, (_, i) => ({ label: `Button ${i}`, command: `lead show #${i % 8}` }));
    const taskId = taskIdFor(42, "ab12-cd34!");
    const card = buttonCard(reply([{ kind: "text", text: "New MQL for you: a company with a rather long name indeed (#42)." }, { kind: "fields", fields: [{ label: "Stage", value: "MQL" }] }, { kind: "buttons", buttons }]), taskId) as {
      task_id: string; main_title: { title: string }; sub_title_text: string; button_list: { key: string }[]; horizontal_content_list: unknown[];
    };
    expect(card.button_list).toHaveLength(WECOM.cardButtons);
    expect(new Set(card.button_list.map((b) => b.key)).size).toBe(WECOM.cardButtons);
    expect(card.task_id).toMatch(/^fb-42-[0-9A-Za-z]+$/);
    expect(accountOfTask(card.task_id)).toBe(42);
    expect(accountOfTask("someone-elses-task")).toBeNull();
    expect([...card.main_title.title].length).toBeLessThanOrEqual(WECOM.cardTitle);
    expect(card.sub_title_text).toContain("(#42)");
    expect(card.horizontal_content_list).toEqual([{ keyname: "Stage", value: "MQL" }]);
  });

  it("shows an outcome with every button greyed out", () => {
    const card = outcomeCard(reply([{ kind: "text", text: "✅ Acme (#42): MQL → SAL" }]), "zh-CN", "fb-42-x") as { replace_text: string; button_list: { key: string }[]; main_title: { title: string } };
    expect(card.replace_text).toBe("已处理");
    expect(card.button_list).toEqual([{ text: "已处理", style: 4, key: "fb:noop" }]);
    expect(card.main_title.title).toBe("✅ Acme (#42): MQL → SAL");
  });
});

describe("WeCom callback crypto", () => {
  const fail = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return error instanceof WecomCryptoError ? error.code : "other";
    }
    return "none";
  };

  it("opens what @wecom/crypto seals for our corp, and nothing else", () => {
    const sealed = encrypt(KEYS.encodingAesKey, "<xml>你好</xml>", KEYS.corpId);
    expect(decryptMessage(KEYS, sealed)).toBe("<xml>你好</xml>");
    const signature = getSignature(KEYS.token, "1700000000", "n1", sealed);
    expect(openCallback(KEYS, { signature, timestamp: "1700000000", nonce: "n1" }, sealed)).toBe("<xml>你好</xml>");
    expect(fail(() => openCallback(KEYS, { signature: signature.replace(/.$/, (last) => (last === "0" ? "1" : "0")), timestamp: "1700000000", nonce: "n1" }, sealed))).toBe("bad-signature");
    expect(fail(() => decryptMessage(KEYS, encrypt(KEYS.encodingAesKey, "<xml/>", "wwother")))).toBe("wrong-receiver");
    expect(fail(() => decryptMessage(KEYS, "not base64 at all"))).toBe("bad-ciphertext");
    expect(fail(() => decryptMessage(KEYS, sealed.slice(0, -4)))).toBe("bad-ciphertext");
    const plain = plaintextLayout("<xml/>", KEYS.corpId);
    const zeros = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 0)]);
    expect(fail(() => decryptMessage(KEYS, encryptRaw({ ...KEYS, agentId: 1, secret: "" }, zeros)))).toBe("bad-padding");
    const lying = Buffer.from(plain);
    lying.writeUInt32BE(10_000, 16);
    const padded = Buffer.concat([lying, Buffer.alloc(32 - (lying.length % 32), 32 - (lying.length % 32))]);
    expect(fail(() => decryptMessage(KEYS, encryptRaw({ ...KEYS, agentId: 1, secret: "" }, padded)))).toBe("bad-length");
  });

  it("seals a passive reply WeCom can verify and open", () => {
    const xml = sealReply(KEYS, "<xml><Content><![CDATA[hi]]></Content></xml>", "1700000000", "nonce1");
    const fields = readXmlFields(xml)!;
    expect(fields.MsgSignature).toBe(getSignature(KEYS.token, fields.TimeStamp!, fields.Nonce!, fields.Encrypt!));
    expect(decrypt(KEYS.encodingAesKey, fields.Encrypt!)).toMatchObject({ message: "<xml><Content><![CDATA[hi]]></Content></xml>", id: KEYS.corpId });
  });

  it("reads flat callback XML and refuses declarations, other roots and malformed documents", () => {
    expect(readXmlFields("<xml><MsgId>1234567890123456789</MsgId><Content><![CDATA[a & <b>]]></Content></xml>")).toEqual({ MsgId: "1234567890123456789", Content: "a & <b>" });
    expect(readXmlFields('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>')).toBeNull();
    // What a person types is text inside CDATA, `<!` included; a declaration outside it, or in an unclosed one, is not.
    expect(readXmlFields("<xml><Content><![CDATA[线索 退回 #7 <!here> 联系不上]]></Content></xml>")).toEqual({ Content: "线索 退回 #7 <!here> 联系不上" });
    expect(readXmlFields("<xml><Content><![CDATA[x]]></Content><!-- c --></xml>")).toBeNull();
    expect(readXmlFields("<xml><Content><![CDATA[x <!DOCTYPE y></Content></xml>")).toBeNull();
    expect(readXmlFields("<xml><!-- hidden --><Content>x</Content></xml>")).toBeNull();
    expect(readXmlFields("<other><Content>x</Content></other>")).toBeNull();
    expect(readXmlFields("<xml><Content>x</xml>")).toBeNull();
    expect(readXmlFields("<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>")).toEqual({});
  });
});
