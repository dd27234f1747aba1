import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parser.js";
import { helpReply } from "../../src/commands/render-help.js";
import { bantForm, renderError } from "../../src/commands/render-reply.js";
import { shownCommand, spokenCommand, usageLine, VERB_WORDS } from "../../src/commands/vocabulary.js";
import { err, type DomainError } from "../../src/domain/errors.js";
import { loadPreset } from "../../src/domain/presets/index.js";
import { parseYesNo } from "../../src/domain/values.js";

const playbook = loadPreset("email-saas")!;

/** What a refusal of `line` says to a person of `locale`. */
function refusal(line: string, locale: "en" | "zh-CN"): string {
  const parsed = parseCommand(line);
  if (parsed.ok) throw new Error(`${line} parsed`);
  return renderError(parsed.error, locale, playbook).text;
}

describe("one vocabulary for the parser and everything that shows a command", () => {
  it("writes every verb in Chinese as the parser reads it", () => {
    for (const entry of VERB_WORDS) {
      const sample = entry.verb === "funnel.member" ? "add alice sales rep" : entry.verb === "funnel.access" ? "grant 3 sales manager" : entry.verb === "funnel.spend" ? "webinar 2026-11 5000" : entry.verb === "lead.new" ? "Acme" : entry.verb === "account.next" ? "#42 2099-01-01 call"
        : entry.verb === "account.reassign" ? "#42 alice" : entry.args.en.includes("<amount>") ? "#42 5000" : entry.args.en.startsWith("<account>") ? "#42" : entry.verb === "account.done" ? "3" : "";
      const english = `${entry.group} ${entry.en} ${sample}`.trim();
      const chinese = spokenCommand(english, "zh-CN");
      expect(chinese).not.toMatch(/\b(lead|account|funnel)\b/);
      const a = parseCommand(english);
      const b = parseCommand(chinese);
      expect({ english, verb: a.ok && a.value.verb }).toEqual({ english, verb: entry.verb });
      expect(b).toEqual(a);
    }
  });

  it("gives WeCom buttons the parser's words, not a drifted copy", () => {
    expect(spokenCommand("lead claim #42", "zh-CN")).toBe("线索 领取 #42");
    expect(spokenCommand("lead recycle #42", "zh-CN")).toBe("线索 回收 #42");
    expect(spokenCommand("account validate #42 pass", "zh-CN")).toBe("客户 验证 #42 通过");
    expect(spokenCommand("/funnel digest sales", "zh-CN")).toBe("漏斗 摘要 sales");
    expect(shownCommand("lead accept #3", "en")).toBe("/lead accept #3");
    // A BANT form's submission, echoed to a Chinese user, in the words they would type, and read back the same.
    const bant = 'lead qualify #7 budget=50000 confirmed=yes dm="Li Wei" engaged=no date=2027-03-01';
    const spoken = spokenCommand(bant, "zh-CN");
    expect(spoken).toBe('线索 资格 #7 预算=50000 预算确认=是 决策人="Li Wei" 已参与=否 时间=2027-03-01');
    const answers = (line: string) => {
      const parsed = parseCommand(line);
      const values = (parsed.ok && parsed.value.verb === "lead.qualify" ? parsed.value.answers : null) ?? {};
      return { ...values, confirmed: parseYesNo(values.confirmed ?? ""), engaged: parseYesNo(values.engaged ?? "") };
    };
    expect(answers(spoken)).toEqual(answers(bant));
  });

  it("answers a Chinese typo with the Chinese command", () => {
    const text = refusal("线索 接收 42", "zh-CN");
    expect(text).toContain("线索 接受");
    expect(text).not.toMatch(/\/lead|accept/);
    expect(refusal("线索 接收 42", "en")).toContain("/lead accept");
    expect(refusal("lead qualify 4 budgte=5", "zh-CN")).toContain("预算=");
  });

  it("gives usage lines in the person's language", () => {
    const text = refusal("线索 接受", "zh-CN");
    expect(text).toBe("⚠️ 用法:线索 接受 <客户>");
    expect(refusal("lead accept", "en")).toBe("⚠️ Usage: /lead accept <account>");
  });

  it("lists allowed moves as commands in the person's language, never internal verb names", () => {
    const error: DomainError = (err("illegal-transition", { from: "LOST", to: "P1", verb: "advance", allowed: [{ verb: "recycle", to: "MQL" }, { verb: "archive", to: "ARCHIVED" }] }) as { error: DomainError }).error;
    const zh = renderError(error, "zh-CN", playbook, "Acme").text;
    expect(zh).toContain("线索 回收");
    expect(zh).toContain("客户 归档");
    expect(zh).not.toMatch(/recycle|archive/);
    expect(renderError(error, "en", playbook, "Acme").text).toContain("/lead recycle");
  });

  it("writes help from the same table, in each language", () => {
    const zh = helpReply(null, "zh-CN").text;
    for (const entry of VERB_WORDS) expect(zh).toContain(usageLine(entry, "zh-CN"));
    expect(zh).toContain("线索 领取 <客户>");
    expect(zh).not.toMatch(/\/lead|\/account/);
    expect(helpReply("lead", "en").text).toContain("/lead claim <account>");
  });
});

describe("a BANT form sent back for one bad field", () => {
  it("keeps Chinese 是/否 answers as the form's choices", () => {
    const form = bantForm({ id: 4, company: "Acme" }, "zh-CN", { budget: "很多", confirmed: "是", engaged: "否", dm: "李伟" }, { budget: "invalid-amount" });
    const value = (name: string) => form.fields.find((f) => f.name === name)?.value;
    expect([value("confirmed"), value("engaged"), value("dm")]).toEqual(["yes", "no", "李伟"]);
    const confirmed = form.fields.find((f) => f.name === "confirmed")!;
    expect(confirmed.options?.map((o) => o.value)).toContain(confirmed.value);
  });
});
