import type { HelpTopic } from "./command.js";
import type { Locale, Reply } from "./reply.js";

// Help pages are written out rather than generated: they are read by people, in their language.
const HELP: Record<HelpTopic, Record<"en" | "zh", string[]>> = {
  lead: {
    en: [
      "/lead new <company> [--email e] [--domain d] [--source s] [--amount n]",
      "/lead handoff <account> — hand a lead to sales as an MQL",
      "/lead accept <account> · /lead return <account> <reason> · /lead unqualified <account> <reason>",
      "/lead qualify <account> — the BANT form (or budget=… confirmed=yes dm=… engaged=yes need=… date=YYYY-MM-DD)",
      "/lead show <account> · /lead mine · /lead lost <account> <reason> · /lead recycle <account>",
      "/lead pool — unassigned MQLs (the pool) · /lead claim <account> — take one from the pool",
      "/lead import — how to bring leads in: webhooks and CSV import",
      "An account is #42, 42, or the start of its name or domain.",
    ],
    zh: [
      "线索 新建 <公司> [--email 邮箱] [--domain 域名] [--source 来源] [--amount 金额]",
      "线索 移交 <客户> — 把线索作为 MQL 移交销售",
      "线索 接受 <客户> · 线索 退回 <客户> <原因> · 线索 不合格 <客户> <原因>",
      "线索 资格 <客户> — BANT 表单(或 预算=… 预算确认=是 决策人=… 已参与=是 需求=… 时间=YYYY-MM-DD)",
      "线索 查看 <客户> · 线索 我的 · 线索 丢单 <客户> <原因> · 线索 回收 <客户>",
      "线索 公海 — 未分配的营销合格线索 · 线索 领取 <客户> — 从公海领取",
      "线索 导入 — 线索导入方式:webhook 与 CSV 导入",
      "客户可用 #42、42,或名称、域名的开头表示。",
    ],
  },
  account: {
    en: [
      "/account validate <account> [pass|fail] · /account sign <account>",
      "/account advance <account> [stage] [--confirm all] [--override <reason>]",
      "/account churn <account> <reason> · /account recall <account> · /account archive <account>",
      "/account renew <account> <amount> · /account expand <account> <amount>",
      "/account reassign <account> <member> · /account next <account> <YYYY-MM-DD> <note>",
      "/account tasks · /account done <task>",
    ],
    zh: [
      "客户 验证 <客户> [通过|失败] · 客户 签约 <客户>",
      "客户 推进 <客户> [阶段] [--confirm all] [--override <原因>]",
      "客户 流失 <客户> <原因> · 客户 召回 <客户> · 客户 归档 <客户>",
      "客户 续费 <客户> <金额> · 客户 增购 <客户> <金额>",
      "客户 转交 <客户> <成员> · 客户 下一步 <客户> <YYYY-MM-DD> <说明>",
      "客户 任务 · 客户 完成 <任务编号>",
    ],
  },
  funnel: {
    en: ["/funnel [team] — counts, time in stage, forecast", "/funnel digest [team] — preview the daily digest", "/funnel member add @user <team> <rep|manager|admin> — add a person (managers and admins)"],
    zh: ["漏斗 [团队] — 各阶段数量、停留时间、预测", "漏斗 摘要 [团队] — 预览每日摘要", "漏斗 成员 添加 @某人 <团队> <rep|manager|admin> — 添加成员(经理、管理员)"],
  },
};

/** The help for one topic, or for all of them. */
export function helpReply(topic: HelpTopic | null, locale: Locale): Reply {
  const lang = locale === "zh-CN" ? "zh" : "en";
  const topics: HelpTopic[] = topic ? [topic] : ["lead", "account", "funnel"];
  const lines = topics.flatMap((x) => HELP[x][lang]);
  return { text: lines.join("\n"), ephemeral: true, blocks: [{ kind: "list", items: lines }] };
}
