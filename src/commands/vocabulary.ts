import type { BantField } from "../domain/bant.js";
import type { Verb } from "../domain/playbook.js";
import type { CommandVerb, HelpTopic } from "./command.js";
import type { Locale } from "./reply.js";

// The words of the command language, in English and Chinese, in one table. The parser reads them, and
// every place that shows a command to a person — usage lines, help, typo hints, allowed moves, buttons
// and forms on every surface — writes them from here, so a Chinese speaker is always shown 线索 接受.

/** A word in both languages: `en` and `zh` are what people are shown; `aliases` are also understood. */
export interface Words {
  readonly en: string;
  readonly zh: string;
  readonly aliases: readonly string[];
}

/** The three groups of commands. */
export const GROUP_WORDS: Readonly<Record<HelpTopic, Words>> = {
  lead: { en: "lead", zh: "线索", aliases: [] },
  account: { en: "account", zh: "客户", aliases: ["账户"] },
  funnel: { en: "funnel", zh: "漏斗", aliases: [] },
};

/** `help`, in a group (`/lead help`) or alone. */
export const HELP_WORDS: Words = { en: "help", zh: "帮助", aliases: ["?", "--help", "-h"] };

/** One verb of a group: its words, the command it yields, its arguments and a line of help, in both languages. */
export interface VerbWords extends Words {
  readonly group: HelpTopic;
  readonly verb: CommandVerb;
  readonly args: { readonly en: string; readonly zh: string };
  readonly help: { readonly en: string; readonly zh: string };
  /** False when the word alone, without its group, would be ambiguous. */
  readonly bare?: false;
  /** True when the usage line leaves the verb out (`/funnel [team]`). */
  readonly implicit?: true;
}

function verb(group: HelpTopic, words: [string, string, ...string[]], command: CommandVerb, args: [string, string], help: [string, string], extra: Partial<VerbWords> = {}): VerbWords {
  const [en, zh, ...aliases] = words;
  return { group, en, zh, aliases, verb: command, args: { en: args[0], zh: args[1] }, help: { en: help[0], zh: help[1] }, ...extra };
}

/** Every verb, in the order help lists them. */
export const VERB_WORDS: readonly VerbWords[] = [
  verb("lead", ["new", "新建", "新线索"], "lead.new",
    ["<company> [--email e] [--domain d] [--source s] [--amount n] [--region r] [--industry i] [--new]", "<公司> [--email 邮箱] [--domain 域名] [--source 来源] [--amount 金额] [--region 地区] [--industry 行业] [--new]"],
    ["create a lead", "新建线索"]),
  verb("lead", ["handoff", "移交", "转销售"], "lead.handoff",
    ['<account> [--confirm all|a,b] [--override "reason"]', '<客户> [--confirm all|a,b] [--override "原因"]'],
    ["hand a lead to sales as an MQL", "把线索作为营销合格线索移交销售"]),
  verb("lead", ["accept", "接受"], "lead.accept", ["<account>", "<客户>"], ["accept an MQL", "接受营销合格线索"]),
  verb("lead", ["return", "退回"], "lead.return", ["<account> [reason]", "<客户> [原因]"], ["return a lead to marketing", "退回市场"]),
  verb("lead", ["unqualified", "不合格", "disqualify"], "lead.unqualified", ["<account> [reason]", "<客户> [原因]"], ["mark a lead unqualified", "标记为不合格"]),
  verb("lead", ["qualify", "资格", "资格审查", "bant"], "lead.qualify",
    ["<account> [budget=… currency=… confirmed=yes|no dm=… role=… engaged=yes|no need=… usecase=… date=YYYY-MM-DD]",
      "<客户> [预算=… 币种=… 预算确认=是|否 决策人=… 职位=… 已参与=是|否 需求=… 场景=… 时间=YYYY-MM-DD]"],
    ["the BANT form, or its answers on one line", "BANT 资格审查表单,或在一行内填写答案"]),
  verb("lead", ["show", "查看", "详情"], "lead.show", ["<account>", "<客户>"], ["an account's facts and history", "客户详情与历史"]),
  verb("lead", ["mine", "我的"], "lead.mine", ["", ""], ["your open accounts", "我的客户"]),
  verb("lead", ["lost", "丢单", "lose"], "lead.lost", ["<account> [reason]", "<客户> [原因]"], ["mark a deal lost", "标记为丢单"]),
  verb("lead", ["recycle", "回收"], "lead.recycle", ["<account>", "<客户>"], ["bring a lost, returned or unqualified lead back", "把丢单、退回或不合格的线索重新放回漏斗"]),
  verb("lead", ["pool", "公海"], "lead.pool", ["", ""], ["unassigned MQLs waiting in the pool", "公海中未分配的营销合格线索"]),
  verb("lead", ["claim", "领取", "认领"], "lead.claim", ["<account>", "<客户>"], ["take a lead from the pool", "从公海领取线索"]),
  verb("lead", ["import", "导入"], "lead.import", ["", ""], ["how to bring leads in: webhooks and CSV", "线索导入方式:webhook 与 CSV"]),
  verb("account", ["show", "查看", "详情"], "account.show", ["<account>", "<客户>"], ["a customer's facts, BANT and history", "客户详情、BANT 与历史"], { bare: false }),
  verb("account", ["validate", "验证"], "account.validate", ["<account> [start|pass|fail]", "<客户> [开始|通过|失败]"], ["product validation (PQL)", "产品验证"]),
  verb("account", ["sign", "签约"], "account.sign", ["<account> [amount]", "<客户> [金额]"], ["record a signed contract", "记录签约"]),
  verb("account", ["advance", "推进"], "account.advance",
    ['<account> [stage] [--confirm all|a,b] [--override "reason"]', '<客户> [阶段] [--confirm all|a,b] [--override "原因"]'],
    ["move to the next stage once its checklist is done", "完成检查项后推进到下一阶段"]),
  verb("account", ["churn", "流失"], "account.churn", ["<account> [reason]", "<客户> [原因]"], ["mark a customer churned", "标记为流失"]),
  verb("account", ["recall", "召回", "winback", "赢回"], "account.recall", ["<account>", "<客户>"], ["win a churned customer back", "召回流失客户"]),
  verb("account", ["archive", "归档"], "account.archive", ["<account>", "<客户>"], ["archive an account", "归档"]),
  verb("account", ["renew", "续费", "续约"], "account.renew", ["<account> <amount> [--expand]", "<客户> <金额> [--expand]"], ["record a renewal", "记录续费"]),
  verb("account", ["expand", "增购", "扩容"], "account.renew", ["<account> <amount>", "<客户> <金额>"], ["record an expansion", "记录增购"]),
  verb("account", ["reassign", "转交", "转给", "分配"], "account.reassign", ["<account> [member]", "<客户> [成员]"], ["give an account to someone else (without a member: pick one)", "把客户转交给他人(不写成员则选择)"]),
  verb("account", ["nudge", "催办", "督促"], "account.nudge", ["<account>", "<客户>"], ["ask the owner, by DM, to look at an account", "私信提醒负责人跟进客户"]),
  verb("account", ["next", "下一步"], "account.next", ["<account> <YYYY-MM-DD> <note>", "<客户> <YYYY-MM-DD> <说明>"], ["schedule the next step", "安排下一步"]),
  // A CSM says "my accounts": the same list as `lead mine`, which holds every open account of theirs.
  verb("account", ["mine", "我的"], "lead.mine", ["", ""], ["your open accounts", "我的客户"], { bare: false }),
  verb("account", ["tasks", "任务"], "account.tasks", ["", ""], ["your open tasks", "我的待办"]),
  verb("account", ["done", "完成"], "account.done", ["<task>", "<任务编号>"], ["finish a task", "完成任务"]),
  verb("funnel", ["show", "查看"], "funnel.show", ["[team] [30d|90d|2026-Q3]", "[团队] [30d|90d|2026-Q3]"],
    ["counts, conversion, time in stage, reps, channels, forecast", "各阶段数量、转化、停留时间、销售、渠道、预测"], { bare: false, implicit: true }),
  verb("funnel", ["chart", "图表", "图"], "funnel.chart", ["[team] [weeks]", "[团队] [周数]"], ["the team's chart as an image", "团队图表(图片)"], { bare: false }),
  verb("funnel", ["spend", "投入", "花费"], "funnel.spend", ["<channel> <YYYY-MM> <amount>", "<渠道> <YYYY-MM> <金额>"],
    ["record a month's marketing spend on a channel (marketing managers)", "记录某渠道某月的市场投入(市场经理)"], { bare: false }),
  verb("funnel", ["digest", "摘要", "日报"], "funnel.digest", ["[team]", "[团队]"], ["preview a team's daily digest", "预览团队每日摘要"]),
  verb("funnel", ["member", "成员"], "funnel.member", ["add <@user> <team> <rep|manager|admin>", "添加 <@某人> <团队> <成员|经理|管理员>"],
    ["add a person (managers and admins)", "添加成员(经理、管理员)"], { bare: false }),
  verb("funnel", ["access", "申请", "权限"], "funnel.access",
    ["grant <request> <team> [rep|manager|admin] | ignore <request>", "授权 <申请编号> <团队> [销售|经理|管理员] | 忽略 <申请编号>"],
    ["answer a request for access (managers and admins)", "处理使用申请(经理、管理员)"], { bare: false }),
];

/** Roles as people say them; the parser takes any of the words, a rep's by any team kind (a CSM is a rep of CS). */
export const ROLE_WORDS: Readonly<Record<"rep" | "manager" | "admin", Words>> = {
  rep: { en: "rep", zh: "成员", aliases: ["销售", "市场专员", "客户成功", "技术支持", "member", "marketer", "csm", "sales-rep"] },
  manager: { en: "manager", zh: "经理", aliases: [] },
  admin: { en: "admin", zh: "管理员", aliases: [] },
};

/** The keys of BANT answers (`budget=…`, `预算=…`). */
export const BANT_WORDS: Readonly<Record<BantField, Words>> = {
  budget: { en: "budget", zh: "预算", aliases: ["预算金额"] },
  currency: { en: "currency", zh: "币种", aliases: ["货币"] },
  confirmed: { en: "confirmed", zh: "预算确认", aliases: ["预算已确认"] },
  dm: { en: "dm", zh: "决策人", aliases: [] },
  role: { en: "role", zh: "职位", aliases: ["决策人职位"] },
  engaged: { en: "engaged", zh: "已参与", aliases: ["决策人已参与"] },
  need: { en: "need", zh: "需求", aliases: ["痛点"] },
  usecase: { en: "usecase", zh: "场景", aliases: ["使用场景"] },
  date: { en: "date", zh: "时间", aliases: ["预计时间"] },
};

/** `funnel member add`. */
export const ADD_WORDS: Words = { en: "add", zh: "添加", aliases: [] };

/** The two answers to a request for access (`funnel access grant|ignore`). */
export const ACCESS_WORDS: Readonly<Record<"grant" | "ignore", Words>> = {
  grant: { en: "grant", zh: "授权", aliases: ["approve", "批准", "同意"] },
  ignore: { en: "ignore", zh: "忽略", aliases: ["deny", "拒绝"] },
};

/** The outcomes of `account validate`. */
export const OUTCOME_WORDS: Readonly<Record<"start" | "pass" | "fail", Words>> = {
  start: { en: "start", zh: "开始", aliases: [] },
  pass: { en: "pass", zh: "通过", aliases: ["passed"] },
  fail: { en: "fail", zh: "失败", aliases: ["failed"] },
};

/** The usage line of a verb entry in a locale: `/lead accept <account>` or `线索 接受 <客户>`. */
export function usageLine(entry: VerbWords, locale: Locale): string {
  const zh = locale === "zh-CN";
  const group = zh ? GROUP_WORDS[entry.group].zh : `/${entry.group}`;
  const word = entry.implicit ? "" : zh ? entry.zh : entry.en;
  return [group, word, zh ? entry.args.zh : entry.args.en].filter(Boolean).join(" ");
}

/** The English usage line of every command verb (the first entry's, where two words share a verb). */
export const USAGE: Readonly<Record<CommandVerb, string>> = {
  help: "/lead help",
  ...(Object.fromEntries([...VERB_WORDS].reverse().map((e) => [e.verb, usageLine(e, "en")])) as Record<Exclude<CommandVerb, "help">, string>),
};

const BY_USAGE = new Map(VERB_WORDS.map((e) => [usageLine(e, "en"), e]));

/** A usage line given in English (as refusals carry it) in the person's language. */
export function localUsage(usage: string, locale: Locale): string {
  if (locale !== "zh-CN") return usage;
  const entry = BY_USAGE.get(usage);
  return entry ? usageLine(entry, locale) : spokenCommand(usage, locale);
}

const SPOKEN: ReadonlyMap<string, Words> = new Map([
  ...Object.values(GROUP_WORDS).map((w) => [w.en, w] as const),
]);

/**
 * A command line (`lead accept #42`, `/funnel digest sales`) as a person of `locale` would type it:
 * `线索 接受 #42`, `漏斗 摘要 sales`. Only the group and verb words are translated; the rest stays as written.
 */
export function spokenCommand(command: string, locale: Locale): string {
  if (locale !== "zh-CN") return command;
  const [first = "", ...rest] = command.trim().split(/\s+/);
  const group = SPOKEN.get(first.replace(/^\//, ""));
  if (!group) return command;
  const topic = group.en as HelpTopic;
  const [second, ...tail] = rest;
  const entry = VERB_WORDS.find((e) => e.group === topic && e.en === second);
  const verbWord = entry ? entry.zh : second === HELP_WORDS.en ? HELP_WORDS.zh : second;
  const translated = tail.map((word, i) =>
    entry?.verb === "funnel.member" && i === 0 && word === ADD_WORDS.en ? ADD_WORDS.zh
      : entry?.verb === "funnel.access" && i === 0 && Object.hasOwn(ACCESS_WORDS, word) ? ACCESS_WORDS[word as keyof typeof ACCESS_WORDS].zh
        : entry?.verb === "funnel.access" && i === 3 && Object.hasOwn(ROLE_WORDS, word) ? ROLE_WORDS[word as keyof typeof ROLE_WORDS].zh
      : entry?.verb === "account.validate" && Object.hasOwn(OUTCOME_WORDS, word) ? OUTCOME_WORDS[word as keyof typeof OUTCOME_WORDS].zh
        : entry?.verb === "lead.qualify" ? spokenBantAnswer(word)
          : word);
  return [group.zh, verbWord, ...translated].filter((w) => w !== undefined && w !== "").join(" ");
}

/** A BANT answer as a Chinese user types it (`预算确认=是`): the form's English keys and yes/no in the words the parser also reads. */
function spokenBantAnswer(word: string): string {
  const at = word.indexOf("=");
  const key = word.slice(0, at);
  if (at < 1 || !Object.hasOwn(BANT_WORDS, key)) return word;
  const value = word.slice(at + 1);
  const yesNo = key === "confirmed" || key === "engaged" ? ({ yes: "是", no: "否" } as Record<string, string>)[value] : undefined;
  return `${BANT_WORDS[key as BantField].zh}=${yesNo ?? value}`;
}

/** A command as shown inline in a message: `/lead accept #42`, or `线索 接受 #42` without the slash. */
export function shownCommand(command: string, locale: Locale): string {
  const bare = command.trim().replace(/^\//, "");
  return locale === "zh-CN" ? spokenCommand(bare, locale) : `/${bare}`;
}

/** The command line that makes a playbook move, for refusals that list the allowed ones. */
export function commandOfMove(move: Verb, accountId?: number, to?: string): string {
  const ref = accountId === undefined ? "" : ` #${accountId}`;
  switch (move) {
    case "handoff": return `lead handoff${ref}`;
    case "accept": return `lead accept${ref}`;
    case "return": return `lead return${ref}`;
    case "disqualify": return `lead unqualified${ref}`;
    case "qualify": return `lead qualify${ref}`;
    case "validate": return `account validate${ref}`;
    case "validate-pass": return `account validate${ref} pass`;
    case "validate-fail": return `account validate${ref} fail`;
    case "sign": return `account sign${ref}`;
    case "advance": return `account advance${ref}${to ? ` ${to}` : ""}`;
    case "lose": return `lead lost${ref}`;
    case "churn": return `account churn${ref}`;
    case "winback": return `account recall${ref}`;
    case "archive": return `account archive${ref}`;
    case "recycle": return `lead recycle${ref}`;
  }
}
