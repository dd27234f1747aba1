import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Command } from "../../src/commands/command.js";
import { MAX_INPUT_LENGTH, MAX_TEXT_LENGTH, parseCommand, USAGE } from "../../src/commands/parser.js";
import { fuzzParameters } from "../support/fuzz.js";

const id = (n: number) => ({ kind: "id", id: n }) as const;
const name = (text: string) => ({ kind: "name", text }) as const;
const lead = (company: string, extra: Partial<Extract<Command, { verb: "lead.new" }>["lead"]> = {}) => ({
  verb: "lead.new", lead: { company, email: null, domain: null, source: null, amount: null, region: null, industry: null, ...extra },
});

/** Parses and insists on success, so a table row reads as `input → command`. */
function parsed(text: string): Command {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(`${JSON.stringify(text)} was refused: ${JSON.stringify(result.error)}`);
  return result.value;
}

function refused(text: string): { code: string; details: Record<string, unknown> } {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`${JSON.stringify(text)} was accepted as ${JSON.stringify(result.value)}`);
  return { code: result.error.code, details: { ...result.error.details } };
}

describe("every verb, in English and in Chinese", () => {
  const rows: [string, unknown][] = [
    ["/lead new Acme Mail Co --email ops@acme.example --domain acme.example --source webinar --amount 12k --region east --industry saas",
      lead("Acme Mail Co", { email: "ops@acme.example", domain: "acme.example", source: "webinar", amount: 12_000, region: "east", industry: "saas" })],
    ['lead new "Walkthrough Mail Co" --email=ops@walk.example', lead("Walkthrough Mail Co", { email: "ops@walk.example" })],
    ["lead new --source fair Acme Mail", lead("Acme Mail", { source: "fair" })],
    ["线索 新建 杭州云邮 --amount 5万 --来源 展会", lead("杭州云邮", { amount: 50_000, source: "展会" })],
    ["新线索 苏州 数据", lead("苏州 数据")],
    ["/lead handoff #7", { verb: "lead.handoff", account: id(7), confirm: null, override: null }],
    ["lead handoff #7 --confirm all", { verb: "lead.handoff", account: id(7), confirm: "all", override: null }],
    ["lead handoff #7 --confirm contact,icp", { verb: "lead.handoff", account: id(7), confirm: ["contact", "icp"], override: null }],
    ["移交 7 --override 老客户介绍", { verb: "lead.handoff", account: id(7), confirm: null, override: "老客户介绍" }],
    ["转销售 acme", { verb: "lead.handoff", account: name("acme"), confirm: null, override: null }],
    ["/funnel member add <@U0123ABC|li.wei> sales rep", { verb: "funnel.member", who: "<@U0123ABC|li.wei>", team: "sales", role: "rep" }],
    ["漏斗 成员 添加 <@U0123ABC> cs 经理", { verb: "funnel.member", who: "<@U0123ABC>", team: "cs", role: "manager" }],
    // A rep is named by the team's kind as readily as by the generic word: a CSM, 客户成功, 销售, 成员.
    ["漏斗 成员 添加 <@U0123ABC> cs 客户成功", { verb: "funnel.member", who: "<@U0123ABC>", team: "cs", role: "rep" }],
    ["/funnel member add <@U0123ABC> cs CSM", { verb: "funnel.member", who: "<@U0123ABC>", team: "cs", role: "rep" }],
    ["漏斗 成员 添加 <@U0123ABC> sales 销售", { verb: "funnel.member", who: "<@U0123ABC>", team: "sales", role: "rep" }],
    ["/funnel access grant 7 sales", { verb: "funnel.access", decision: "grant", request: 7, team: "sales", role: "rep" }],
    ["funnel access grant #7 CS manager", { verb: "funnel.access", decision: "grant", request: 7, team: "cs", role: "manager" }],
    ["漏斗 申请 授权 7 sales 经理", { verb: "funnel.access", decision: "grant", request: 7, team: "sales", role: "manager" }],
    ["漏斗 申请 忽略 7", { verb: "funnel.access", decision: "ignore", request: 7 }],
    // Without a reason the command still parses; the bot answers with the playbook's reasons to pick from.
    ["lead return 42", { verb: "lead.return", account: id(42), reason: { text: "" } }],
    ["account churn #42", { verb: "account.churn", account: id(42), reason: { text: "" } }],
    ["/lead accept 42", { verb: "lead.accept", account: id(42) }],
    ["LEAD Accept 42", { verb: "lead.accept", account: id(42) }],
    ["accept acme", { verb: "lead.accept", account: name("acme") }],
    ["线索 接受 #42", { verb: "lead.accept", account: id(42) }],
    ["接受 #42", { verb: "lead.accept", account: id(42) }],
    ["/lead return 42 budget too small", { verb: "lead.return", account: id(42), reason: { text: "budget too small" } }],
    ["退回 #42 预算 不足", { verb: "lead.return", account: id(42), reason: { text: "预算 不足" } }],
    ["lead unqualified 42 no-fit", { verb: "lead.unqualified", account: id(42), reason: { text: "no-fit" } }],
    ["disqualify 42 spam --really", { verb: "lead.unqualified", account: id(42), reason: { text: "spam --really" } }],
    ["不合格 42 垃圾线索", { verb: "lead.unqualified", account: id(42), reason: { text: "垃圾线索" } }],
    ["lead qualify 42", { verb: "lead.qualify", account: id(42), answers: null }],
    ["资格 #42", { verb: "lead.qualify", account: id(42), answers: null }],
    ["资格审查 acme", { verb: "lead.qualify", account: name("acme"), answers: null }],
    ["BANT 42", { verb: "lead.qualify", account: id(42), answers: null }],
    ["lead show acme", { verb: "lead.show", account: name("acme") }],
    ["查看 #3", { verb: "lead.show", account: id(3) }],
    ["详情 3", { verb: "lead.show", account: id(3) }],
    ["lead mine", { verb: "lead.mine" }],
    ["我的", { verb: "lead.mine" }],
    ["lead lost 42 went with a competitor", { verb: "lead.lost", account: id(42), reason: { text: "went with a competitor" } }],
    ["lose 42 price", { verb: "lead.lost", account: id(42), reason: { text: "price" } }],
    ["丢单 42 价格", { verb: "lead.lost", account: id(42), reason: { text: "价格" } }],
    ["lead recycle 42", { verb: "lead.recycle", account: id(42) }],
    ["回收 42", { verb: "lead.recycle", account: id(42) }],
    ["account validate 42", { verb: "account.validate", account: id(42), outcome: "start" }],
    ["account validate 42 pass", { verb: "account.validate", account: id(42), outcome: "pass" }],
    ["account validate 42 FAIL", { verb: "account.validate", account: id(42), outcome: "fail" }],
    ["验证 42 开始", { verb: "account.validate", account: id(42), outcome: "start" }],
    ["客户 验证 #42 通过", { verb: "account.validate", account: id(42), outcome: "pass" }],
    ["验证 42 失败", { verb: "account.validate", account: id(42), outcome: "fail" }],
    ["account sign 42", { verb: "account.sign", account: id(42), amount: null }],
    ["account sign 42 12k", { verb: "account.sign", account: id(42), amount: 12_000 }],
    ["签约 42 5万", { verb: "account.sign", account: id(42), amount: 50_000 }],
    ["account advance 42", { verb: "account.advance", account: id(42), to: null, confirm: null, override: null }],
    ['/account advance 42 P3 --confirm a,b --override "customer asked"',
      { verb: "account.advance", account: id(42), to: "P3", confirm: ["a", "b"], override: "customer asked" }],
    ["account advance 42 --confirm=all", { verb: "account.advance", account: id(42), to: null, confirm: "all", override: null }],
    ["account advance 42 --confirm a --confirm b", { verb: "account.advance", account: id(42), to: null, confirm: ["a", "b"], override: null }],
    ["account advance 42 --override customer asked twice", { verb: "account.advance", account: id(42), to: null, confirm: null, override: "customer asked twice" }],
    ["推进 42 --确认 全部", { verb: "account.advance", account: id(42), to: null, confirm: "all", override: null }],
    ["客户 推进 #42 P2 --确认 a，b --跳过 客户 要求", { verb: "account.advance", account: id(42), to: "P2", confirm: ["a", "b"], override: "客户 要求" }],
    ["account advance 42 —confirm all", { verb: "account.advance", account: id(42), to: null, confirm: "all", override: null }],
    ["account churn 42 price 预算削减", { verb: "account.churn", account: id(42), reason: { text: "price 预算削减" } }],
    ["流失 42 不再使用", { verb: "account.churn", account: id(42), reason: { text: "不再使用" } }],
    ["account recall 42", { verb: "account.recall", account: id(42) }],
    ["召回 42", { verb: "account.recall", account: id(42) }],
    ["winback 42", { verb: "account.recall", account: id(42) }],
    ["赢回 acme", { verb: "account.recall", account: name("acme") }],
    ["account archive 42", { verb: "account.archive", account: id(42) }],
    ["归档 42", { verb: "account.archive", account: id(42) }],
    ["account renew 42 5万", { verb: "account.renew", account: id(42), amount: 50_000, kind: "renewal" }],
    ["account renew 42 12k --expand", { verb: "account.renew", account: id(42), amount: 12_000, kind: "expansion" }],
    ["续约 42 ¥50,000", { verb: "account.renew", account: id(42), amount: 50_000, kind: "renewal" }],
    ["account expand 42 12k", { verb: "account.renew", account: id(42), amount: 12_000, kind: "expansion" }],
    ["增购 42 1.5m", { verb: "account.renew", account: id(42), amount: 1_500_000, kind: "expansion" }],
    ["扩容 42 3千", { verb: "account.renew", account: id(42), amount: 3_000, kind: "expansion" }],
    ["account reassign 42 @bob", { verb: "account.reassign", account: id(42), member: "@bob" }],
    // Without a member: the member picker.
    ["account reassign 42", { verb: "account.reassign", account: id(42), member: null }],
    ["account nudge #42", { verb: "account.nudge", account: id(42) }],
    ["客户 催办 42", { verb: "account.nudge", account: id(42) }],
    ["转给 42 王芳", { verb: "account.reassign", account: id(42), member: "王芳" }],
    ["分配 acme bob", { verb: "account.reassign", account: name("acme"), member: "bob" }],
    ["account next 42 2026-12-01 call the CFO", { verb: "account.next", account: id(42), date: "2026-12-01", note: "call the CFO" }],
    ["下一步 #42 2026年12月1日 电话 回访", { verb: "account.next", account: id(42), date: "2026-12-01", note: "电话 回访" }],
    ["account tasks", { verb: "account.tasks" }],
    ["任务", { verb: "account.tasks" }],
    ["/account mine", { verb: "lead.mine" }], // a CSM's "my accounts": the same list
    ["客户 我的", { verb: "lead.mine" }],
    ["account done 5", { verb: "account.done", task: 5 }],
    ["完成 #5", { verb: "account.done", task: 5 }],
    ["/funnel", { verb: "funnel.show", team: null, window: null }],
    ["/funnel sales 90d", { verb: "funnel.show", team: "sales", window: "90d" }],
    ["/funnel 2026-Q3", { verb: "funnel.show", team: null, window: "2026-Q3" }],
    ["漏斗 30d 销售", { verb: "funnel.show", team: "销售", window: "30d" }],
    ["/funnel spend webinar 2026-11 50000", { verb: "funnel.spend", channel: "webinar", month: "2026-11", amount: 50000 }],
    ["漏斗 投入 webinar 2026-11 5万", { verb: "funnel.spend", channel: "webinar", month: "2026-11", amount: 50000 }],
    ["/funnel chart", { verb: "funnel.chart", team: null, weeks: null }],
    ["/funnel chart sales 12", { verb: "funnel.chart", team: "sales", weeks: 12 }],
    ["funnel sales", { verb: "funnel.show", team: "sales", window: null }],
    ["funnel show sales", { verb: "funnel.show", team: "sales", window: null }],
    ["漏斗 销售", { verb: "funnel.show", team: "销售", window: null }],
    ["funnel digest", { verb: "funnel.digest", team: null }],
    ["/funnel digest sales", { verb: "funnel.digest", team: "sales" }],
    ["漏斗 摘要 sales", { verb: "funnel.digest", team: "sales" }],
    ["日报", { verb: "funnel.digest", team: null }],
  ];

  it.each(rows)("%s", (text, command) => {
    expect(parsed(text)).toEqual(command);
  });

  it("reads Chinese typed without spaces", () => {
    expect(parsed("线索接受 42")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("接受#42")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("漏斗摘要")).toEqual({ verb: "funnel.digest", team: null });
    expect(parsed("客户 完成3")).toEqual({ verb: "account.done", task: 3 });
  });

  it("folds full-width command words, slashes and digits, and splits on the ideographic space", () => {
    expect(parsed("ＬＥＡＤ ＡＣＣＥＰＴ ４２")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("／lead accept ＃４２")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("线索\u3000接受\u300042")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("lead\naccept\t42")).toEqual({ verb: "lead.accept", account: id(42) });
  });
});

describe("help", () => {
  it.each([
    ["", null], ["   ", null], ["/", null], ["help", null], ["帮助", null], ["/lead help", "lead"], ["lead", "lead"],
    ["/account", "account"], ["客户 帮助", "account"], ["账户 help", "account"], ["funnel help", "funnel"], ["help account", "account"], ["帮助 漏斗", "funnel"],
  ])("%j → topic %s", (text, topic) => {
    expect(parsed(text)).toEqual({ verb: "help", topic });
  });
});

describe("account references", () => {
  it.each([
    ["#42", id(42)], ["42", id(42)], ["#007", id(7)], ["＃４２", id(42)], ["acme", name("acme")], ["42abc", name("42abc")],
    ["acme.example", name("acme.example")], ['"Acme Mail"', name("Acme Mail")], ["“杭州 云邮”", name("杭州 云邮")], ["「杭州 云邮」", name("杭州 云邮")],
  ])("%s", (ref, account) => {
    expect(parsed(`lead show ${ref}`)).toEqual({ verb: "lead.show", account });
  });

  it.each(["#0", "0", "#9007199254740993", "1".repeat(40)])("refuses the id %s, which is not a positive safe integer", (ref) => {
    expect(refused(`lead show ${ref}`)).toEqual({ code: "usage", details: { usage: USAGE["lead.show"] } });
  });

  it("accepts the largest safe id", () => {
    expect(parsed(`lead show #${Number.MAX_SAFE_INTEGER}`)).toEqual({ verb: "lead.show", account: id(Number.MAX_SAFE_INTEGER) });
  });
});

describe("quotes and flags", () => {
  it("groups words in straight, Chinese and corner quotes, even mid-word", () => {
    expect(parsed("lead new “杭州 云邮” --source 「行业 展会」")).toEqual(lead("杭州 云邮", { source: "行业 展会" }));
    expect(parsed('lead new Acme --source "trade show"')).toEqual(lead("Acme", { source: "trade show" }));
    expect(parsed('account advance 42 --override="budget freeze lifted"')).toMatchObject({ override: "budget freeze lifted" });
  });

  it("runs an unclosed quote to the end of the line", () => {
    expect(parsed('lead new "Acme Mail Co')).toEqual(lead("Acme Mail Co"));
  });

  it("treats a quoted --word as a value, not a flag", () => {
    expect(parsed('lead new "--email" --source x')).toEqual(lead("--email", { source: "x" }));
  });

  it("refuses flags a verb does not take, and value flags without a value", () => {
    expect(refused("lead new Acme --bogus x")).toEqual({ code: "usage", details: { usage: USAGE["lead.new"] } });
    expect(refused("lead accept 42 --email x")).toEqual({ code: "usage", details: { usage: USAGE["lead.accept"] } });
    expect(refused("lead new Acme --email")).toEqual({ code: "usage", details: { usage: USAGE["lead.new"] } });
    expect(refused("account advance 42 --confirm")).toEqual({ code: "usage", details: { usage: USAGE["account.advance"] } });
    expect(refused("account advance 42 --confirm ,")).toEqual({ code: "usage", details: { usage: USAGE["account.advance"] } });
    expect(refused("account renew 42 5万 --expand=yes")).toEqual({ code: "usage", details: { usage: USAGE["account.renew"] } });
  });
});

describe("BANT answers", () => {
  const answers = { budget: "80000", currency: "CNY", confirmed: "yes", dm: "Li Wei", role: "CTO", engaged: "yes", need: "transactional email", usecase: "alerts", date: "2099-12-31" };

  it("reads English key=value pairs with quoted values", () => {
    const text = 'lead qualify #42 budget=80000 currency=CNY confirmed=yes dm="Li Wei" role=CTO engaged=yes need="transactional email" usecase=alerts date=2099-12-31';
    expect(parsed(text)).toEqual({ verb: "lead.qualify", account: id(42), answers });
  });

  it("maps Chinese keys and full-width separators, and continues a value over following words", () => {
    const text = "资格 42 预算=80000 币种：CNY 预算确认＝yes 决策人=“Li Wei” 职位:CTO 已参与=yes 需求=transactional email 场景=alerts 时间=2099-12-31";
    expect(parsed(text)).toEqual({ verb: "lead.qualify", account: id(42), answers });
  });

  it("takes English keys in any case and keeps values as typed strings", () => {
    expect(parsed("lead qualify 42 BUDGET=5万 Confirmed=是 need=see http://acme.example/x")).toEqual({
      verb: "lead.qualify", account: id(42), answers: { budget: "5万", confirmed: "是", need: "see http://acme.example/x" },
    });
  });

  it("refuses an unknown key with a suggestion, and a word before any key", () => {
    expect(refused("lead qualify 42 budgte=5000")).toEqual({
      code: "usage", details: { usage: USAGE["lead.qualify"], unknown: "budgte", suggestions: ["budget="] },
    });
    expect(refused("lead qualify 42 soon budget=5000")).toEqual({ code: "usage", details: { usage: USAGE["lead.qualify"] } });
  });
});

describe("amounts and dates", () => {
  it("reads amounts with parseAmount's units", () => {
    expect(parsed("account renew 42 5万")).toMatchObject({ amount: 50_000 });
    expect(parsed("account renew 42 12k")).toMatchObject({ amount: 12_000 });
    expect(parsed("lead new Acme --amount 1.5m")).toMatchObject({ lead: { amount: 1_500_000 } });
  });

  it.each([
    ["account renew 42 lots", "lots"], ["account sign 42 -5", "-5"], ["account expand 42 0", "0"],
    ["lead new Acme --amount abc", "abc"], ["续约 42 五万", "五万"],
  ])("refuses %s as invalid-amount", (text, typed) => {
    expect(refused(text)).toEqual({ code: "invalid-amount", details: { text: typed } });
  });

  it("refuses a day that is not on the calendar", () => {
    expect(refused("account next 42 2026-02-30 call")).toEqual({ code: "invalid-date", details: { text: "2026-02-30" } });
    expect(refused("下一步 42 明天 打电话")).toEqual({ code: "invalid-date", details: { text: "明天" } });
  });
});

describe("usage errors name the verb's own usage line", () => {
  it.each([
    ["lead accept", "/lead accept <account>"],
    ["lead accept 42 43", "/lead accept <account>"],
    ["lead return", "/lead return <account> [reason]"],
    ["lead unqualified", "/lead unqualified <account> [reason]"],
    ["丢单", USAGE["lead.lost"]],
    ["account churn --confirm all", USAGE["account.churn"]],
    ["lead handoff 42 43", USAGE["lead.handoff"]],
    ["funnel member add <@U1> sales boss", USAGE["funnel.member"]],
    ["funnel access grant seven sales", USAGE["funnel.access"]],
    ["funnel access ignore 7 sales", USAGE["funnel.access"]],
    ["funnel access grant 7 sales boss", USAGE["funnel.access"]],
    ["funnel member remove <@U1> sales rep", USAGE["funnel.member"]],
    ["lead new --email a@b.example", USAGE["lead.new"]],
    ["lead show", USAGE["lead.show"]],
    ["lead mine now", "/lead mine"],
    ["account tasks 3", "/account tasks"],
    ["account validate 42 maybe", USAGE["account.validate"]],
    ["account sign 42 5万 extra", USAGE["account.sign"]],
    ["account advance 42 P3 P4", USAGE["account.advance"]],
    ["account renew 42", "/account renew <account> <amount> [--expand]"],
    ["account expand 42", "/account expand <account> <amount>"],
    ["account reassign", USAGE["account.reassign"]],
    ["account nudge", USAGE["account.nudge"]],
    ["account nudge 42 43", USAGE["account.nudge"]],
    ["account reassign 42 bob alice", USAGE["account.reassign"]],
    ["account next 42 2026-12-01", "/account next <account> <YYYY-MM-DD> <note>"],
    ["account done", USAGE["account.done"]],
    ["account done abc", USAGE["account.done"]],
    ["account recall 42 43", USAGE["account.recall"]],
    ["funnel sales marketing", "/funnel [team] [30d|90d|2026-Q3]"],
    ["funnel digest a b", "/funnel digest [team]"],
    ["funnel spend webinar 2026-11", "/funnel spend <channel> <YYYY-MM> <amount>"],
    ["funnel chart sales 99", "/funnel chart [team] [weeks]"],
    ["funnel 30d 90d", "/funnel [team] [30d|90d|2026-Q3]"],
  ])("%s", (text, usage) => {
    expect(refused(text)).toEqual({ code: "usage", details: { usage } });
  });

  it("has a usage line for every verb, each starting with its group", () => {
    for (const [verb, line] of Object.entries(USAGE)) {
      const group = verb === "help" ? "lead" : verb.split(".")[0];
      expect(line.startsWith(`/${group}`), verb).toBe(true);
    }
  });
});

describe("unknown words", () => {
  it("suggests the closest verbs", () => {
    expect(refused("/lead acept 4")).toEqual({ code: "usage", details: { unknown: "acept", suggestions: ["/lead accept"] } });
    expect(refused("lead advance 42").details).toEqual({ unknown: "advance", suggestions: ["/account advance"] });
    expect(refused("leed accept 4").details).toEqual({ unknown: "leed", suggestions: ["/lead accept"] });
    expect(refused("accout tasks").details).toEqual({ unknown: "accout", suggestions: ["/account tasks", "/lead accept"] });
    expect(refused("fnnel").details).toEqual({ unknown: "fnnel", suggestions: ["/funnel"] });
    expect(refused("接收 42").details.suggestions).toContain("/lead accept");
  });

  it("offers at most three, and none for words that are nothing like a verb", () => {
    expect(refused("lead xyzzy 4").details).toEqual({ unknown: "xyzzy", suggestions: [] });
    expect(refused("你好").details).toEqual({ unknown: "你好", suggestions: [] });
    expect((refused("re 4").details.suggestions as string[]).length).toBeLessThanOrEqual(3);
  });
});

describe("text cleaning and limits", () => {
  it("refuses input over 2000 characters before reading it", () => {
    expect(refused(`lead new ${"x".repeat(10_000)}`)).toEqual({ code: "invalid-text", details: { max: MAX_INPUT_LENGTH } });
    expect(refused("lead accept 42 ".padEnd(MAX_INPUT_LENGTH + 1, " "))).toEqual({ code: "invalid-text", details: { max: 2000 } });
  });

  it("refuses any single value over 500 characters, and keeps one of exactly 500", () => {
    expect(refused(`lead new ${"x".repeat(501)}`)).toEqual({ code: "invalid-text", details: { max: MAX_TEXT_LENGTH } });
    expect(refused(`lead return 42 ${"word ".repeat(101)}`)).toEqual({ code: "invalid-text", details: { max: 500 } });
    expect(refused(`account next 42 2026-12-01 ${"a".repeat(300)} ${"b".repeat(300)}`)).toEqual({ code: "invalid-text", details: { max: 500 } });
    expect(refused(`account reassign 42 ${"m".repeat(501)}`)).toEqual({ code: "invalid-text", details: { max: 500 } });
    expect(refused(`lead qualify 42 need=${"n ".repeat(260)}`)).toEqual({ code: "invalid-text", details: { max: 500 } });
    expect(parsed(`lead new ${"x".repeat(500)}`)).toEqual(lead("x".repeat(500)));
  });

  it("strips zero-width, bidi and control characters", () => {
    expect(parsed("\uFEFF/lead\u200B accept 4\u200D2")).toEqual({ verb: "lead.accept", account: id(42) });
    expect(parsed("lead show \u202Eac\u0000me\u2066")).toEqual({ verb: "lead.show", account: name("acme") });
    expect(parsed("lead return 42 too\u0007 expensive\u200F")).toEqual({ verb: "lead.return", account: id(42), reason: { text: "too expensive" } });
  });

  it("drops lone surrogates and normalizes to NFC", () => {
    expect(parsed("lead show \uD800acme\uDC00")).toEqual({ verb: "lead.show", account: name("acme") });
    expect(parsed("lead show Cafe\u0301")).toEqual({ verb: "lead.show", account: name("Caf\u00e9") });
  });
});

// ── Properties ───────────────────────────────────────────────────────────────────────────────────────

const KNOWN_USAGE = new Set([...Object.values(USAGE), "/account expand <account> <amount>"]);

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The contract every input must meet; returns whether it parsed. */
function checkContract(text: string): boolean {
  const result = parseCommand(text);
  expect(typeof result.ok).toBe("boolean");
  if (result.ok) {
    expect(Object.keys(USAGE)).toContain(result.value.verb);
    for (const s of stringsIn(result.value)) {
      expect(s.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
      expect(s).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
    }
  } else {
    const { code, details } = result.error;
    expect(["usage", "invalid-text", "invalid-amount", "invalid-date", "invalid-email", "invalid-domain"]).toContain(code);
    if (code === "usage" && details.unknown === undefined) expect(KNOWN_USAGE).toContain(details.usage);
  }
  return result.ok;
}

const HEADS = [
  "/lead new", "lead handoff", "/lead accept", "线索 接受", "退回", "lead unqualified", "lead qualify", "资格", "lead show", "lead mine",
  "丢单", "lead recycle", "account validate", "签约", "推进", "account churn", "召回", "归档", "account renew", "增购", "转给",
  "account next", "任务", "完成", "funnel", "漏斗 摘要", "help", "",
];
const PIECES = [
  "#42", "42", "acme", "#0", "--email", "--amount", "--confirm", "--override", "--expand", "--bogus", "all", "pass", "5万", "12k", "abc",
  "2026-02-30", "2026-12-01", "预算=5万", "need：", 'dm="Li', 'Wei"', "“", "」", "\u200b", "\u0000", "\u3000", "=", "x".repeat(501), "\ud800",
];

describe("parseCommand never throws", () => {
  it("on arbitrary unicode, including lone surrogates and over-long strings", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary-ascii", minLength: 1990, maxLength: 2010 }),
    );
    fc.assert(fc.property(anyText, (text) => void checkContract(text)), fuzzParameters(2000));
  });

  it("on real verbs followed by random tokens, and many of those parse", () => {
    let accepted = 0;
    const line = fc
      .tuple(
        fc.constantFrom(...HEADS),
        fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 12 })), { maxLength: 6 }),
        fc.constantFrom(" ", "\u3000", "\t", "  "),
      )
      .map(([head, pieces, sep]) => [head, ...pieces].join(sep));
    fc.assert(fc.property(line, (text) => void (accepted += Number(checkContract(text)))), fuzzParameters(2000));
    expect(accepted).toBeGreaterThan(100);
  });
});
