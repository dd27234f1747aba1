import type { Label } from "../domain/playbook.js";
import type { Locale } from "./reply.js";

/** Picks the label for a locale. */
export function pick(label: Label, locale: Locale): string {
  return locale === "zh-CN" ? label.zh : label.en;
}

type Params = Record<string, string | number>;

// Every sentence the bot says, in both languages. Parameters are filled in by name.
const MESSAGES = {
  "error.usage": { en: "Usage: {usage}", zh: "用法:{usage}" },
  "error.unknown-verb": { en: "I don't know “{unknown}”.{suggest} Type `/lead help` for the commands.", zh: "不认识“{unknown}”。{suggest}输入 `/lead help` 查看命令。" },
  "error.suggest": { en: " Did you mean {list}?", zh: "是不是想输入 {list}?" },
  "error.account-not-found": { en: "No account matches “{ref}”. Use its #id, or the start of its name or domain.", zh: "没有找到“{ref}”对应的客户。请用 #编号,或名称、域名的开头。" },
  "error.account-ambiguous": { en: "“{ref}” matches several accounts: {list}. Use the #id.", zh: "“{ref}”匹配到多个客户:{list}。请用 #编号。" },
  "error.illegal-transition": { en: "{company} is in {stage}; from there you can: {allowed}.", zh: "{company} 当前处于「{stage}」,可执行的操作:{allowed}。" },
  "error.illegal-transition.none": { en: "{company} is in {stage}, which is final: nothing can move it.", zh: "{company} 处于「{stage}」,这是最终阶段,不能再变更。" },
  "error.needs-verb": { en: "Moving {company} to {to} needs `{command}`.", zh: "把 {company} 移到「{to}」需要使用 `{command}`。" },
  "error.forbidden": { en: "Your team ({team}) can't act on accounts in {stage}; that's for {teams}.", zh: "你的团队({team})不能操作「{stage}」阶段的客户,该阶段属于 {teams}。" },
  "error.forbidden.manager": { en: "Only a manager can do that.", zh: "只有经理可以执行此操作。" },
  "error.not-owner": { en: "This account belongs to {owner}. Ask a manager to reassign it.", zh: "该客户属于 {owner}。请联系经理重新分配。" },
  "error.unknown-member": { en: "You're not set up in funnelbot yet. Ask an admin to add you.", zh: "你还不是 funnelbot 成员,请联系管理员添加。" },
  "error.unknown-member.named": { en: "No member called “{name}”.", zh: "没有名为“{name}”的成员。" },
  "error.checklist-incomplete": { en: "Before leaving {stage}, confirm: {missing}. Add `--confirm all` once they're done, or a manager can add `--override <reason>`.", zh: "离开「{stage}」前请确认:{missing}。完成后加上 `--confirm all`;经理可用 `--override <原因>` 跳过。" },
  "error.override-not-manager": { en: "Only a manager can skip the checklist of {stage}.", zh: "只有经理可以跳过「{stage}」的检查项。" },
  "error.reason-required": { en: "Give a reason: {reasons}.", zh: "请填写原因:{reasons}。" },
  "error.unknown-reason": { en: "“{typed}” isn't on the list. Reasons: {reasons}.", zh: "“{typed}”不在原因列表中。可选原因:{reasons}。" },
  "error.already-done": { en: "Already done: {by} moved it to {stage} at {at}.", zh: "已被处理:{by} 已于 {at} 将其移到「{stage}」。" },
  "error.invalid-form": { en: "Please fix: {fields}.", zh: "请修正:{fields}。" },
  "error.invalid-amount": { en: "“{text}” isn't an amount. Use a positive number like 50000, 5万 or 12k.", zh: "“{text}”不是有效金额。请填写正数,例如 50000、5万 或 12k。" },
  "error.invalid-date": { en: "“{text}” isn't a date. Use YYYY-MM-DD, e.g. 2026-12-01.", zh: "“{text}”不是有效日期。请使用 YYYY-MM-DD,例如 2026-12-01。" },
  "error.not-a-customer": { en: "Renewals and expansions are recorded in {stages}; this account is in {stage}.", zh: "续费和增购只能在「{stages}」阶段记录;该客户处于「{stage}」。" },
  "error.unknown-stage": { en: "There's no stage “{stage}”. Stages: {stages}.", zh: "没有“{stage}”这个阶段。可用阶段:{stages}。" },
  "error.unknown-team": { en: "There's no team “{team}”. Teams: {teams}.", zh: "没有“{team}”这个团队。可用团队:{teams}。" },
  "error.invalid-text": { en: "That text is too long or empty (at most {max} characters).", zh: "内容为空或太长(最多 {max} 个字符)。" },
  "error.duplicate-account": { en: "{company} already exists as #{id}.", zh: "{company} 已存在,编号 #{id}。" },
  "error.task-not-found": { en: "No open task #{task}.", zh: "没有待办任务 #{task}。" },
  "error.internal": { en: "Something went wrong on our side; nothing was changed. Please try again.", zh: "系统出错,未做任何更改,请重试。" },

  "field.required": { en: "required", zh: "必填" },
  "field.invalid-amount": { en: "a positive amount", zh: "需为正数金额" },
  "field.invalid-currency": { en: "a 3-letter currency code", zh: "需为 3 位币种代码" },
  "field.invalid-yes-no": { en: "yes or no", zh: "填“是”或“否”" },
  "field.invalid-date": { en: "a date YYYY-MM-DD", zh: "日期格式 YYYY-MM-DD" },
  "field.date-in-past": { en: "a date that isn't past", zh: "不能早于今天" },
  "field.too-long": { en: "too long", zh: "内容太长" },

  "bant.title": { en: "Qualify {company} (BANT)", zh: "资格审查 {company}(BANT)" },
  "bant.submit": { en: "Qualify", zh: "提交" },
  "bant.budget": { en: "Budget amount", zh: "预算金额" },
  "bant.currency": { en: "Currency", zh: "币种" },
  "bant.confirmed": { en: "Budget confirmed?", zh: "预算已确认?" },
  "bant.dm": { en: "Decision maker", zh: "决策人" },
  "bant.role": { en: "Their role", zh: "决策人职位" },
  "bant.engaged": { en: "Decision maker engaged?", zh: "决策人已参与?" },
  "bant.need": { en: "Need (pain)", zh: "需求(痛点)" },
  "bant.usecase": { en: "Use case", zh: "使用场景" },
  "bant.date": { en: "Target date", zh: "预计时间" },
  "bant.passed": { en: "✅ {company} qualified: now {stage}.", zh: "✅ {company} 资格审查通过,进入「{stage}」。" },
  "bant.failed": { en: "{company} did not qualify ({failures}); it stays in {stage} and the answers are kept.", zh: "{company} 资格审查未通过({failures}),保留在「{stage}」,答案已记录。" },
  "bant.hint": { en: "Or type: /lead qualify #{id} budget=50000 confirmed=yes dm=\"Li Wei\" engaged=yes need=\"…\" date=2026-12-31", zh: "也可输入:线索 资格 #{id} 预算=50000 预算确认=是 决策人=李伟 已参与=是 需求=… 时间=2026-12-31" },
  "yes": { en: "Yes", zh: "是" },
  "no": { en: "No", zh: "否" },

  "moved": { en: "{company} moved {from} → {to}.", zh: "{company} 已从「{from}」推进到「{to}」。" },
  "moved.owner": { en: "Owner: {owner}.", zh: "负责人:{owner}。" },
  "created": { en: "Lead #{id} {company} created in {stage}.", zh: "已创建线索 #{id} {company},阶段「{stage}」。" },
  "merged": { en: "{company} already exists as #{id}; nothing new was created.", zh: "{company} 已存在(#{id}),未重复创建。" },
  "renewed": { en: "{company}: {kind} of {amount} recorded; total {total}.", zh: "{company}:已记录{kind} {amount},合计 {total}。" },
  "renewal": { en: "renewal", zh: "续费" },
  "expansion": { en: "expansion", zh: "增购" },
  "reassigned": { en: "{company} now belongs to {owner}.", zh: "{company} 已转交给 {owner}。" },
  "next-step": { en: "Next step for {company} on {day}: {note}.", zh: "{company} 的下一步:{day} {note}。" },
  "checklist.title": { en: "Confirm before leaving {stage}", zh: "离开「{stage}」前请确认" },
  "checklist.override": { en: "Manager override reason (only if skipping)", zh: "经理跳过原因(仅跳过时填写)" },
  "checklist.submit": { en: "Advance", zh: "推进" },

  "member.added": { en: "Added {name} to {team} as {role}.", zh: "已将 {name} 加入「{team}」,角色:{role}。" },
  "card.outcome": { en: "✅ {company} (#{id}): {from} → {to}{reason}, by {actor} at {at}.", zh: "✅ {company}(#{id}):「{from}」→「{to}」{reason},{actor} 于 {at} 处理。" },
  "notice.mql-assigned": { en: "New MQL for you: {company} (#{id}). Accept it within {sla}.", zh: "新的营销合格线索:{company}(#{id}),请在 {sla} 内接受。" },
  "notice.returned": { en: "{actor} returned {company} (#{id}) to marketing: {reason}.", zh: "{actor} 将 {company}(#{id})退回市场:{reason}。" },
  "notice.disqualified": { en: "{actor} marked {company} (#{id}) unqualified: {reason}.", zh: "{actor} 将 {company}(#{id})标记为不合格:{reason}。" },
  "notice.lost": { en: "{actor} marked {company} (#{id}) lost: {reason}.", zh: "{actor} 将 {company}(#{id})标记为丢单:{reason}。" },
  "notice.churned": { en: "{actor} marked {company} (#{id}) churned: {reason}.", zh: "{actor} 将 {company}(#{id})标记为流失:{reason}。" },
  "notice.won-back": { en: "{company} (#{id}) is being won back and is yours: now {stage}.", zh: "{company}(#{id})进入召回流程,由你负责,当前「{stage}」。" },
  "notice.reassigned": { en: "{actor} gave you {company} (#{id}), in {stage}.", zh: "{actor} 把 {company}(#{id})转交给你,当前「{stage}」。" },

  "show.title": { en: "#{id} {company}", zh: "#{id} {company}" },
  "show.stage": { en: "Stage", zh: "阶段" },
  "show.owner": { en: "Owner", zh: "负责人" },
  "show.amount": { en: "Amount", zh: "金额" },
  "show.score": { en: "Score", zh: "评分" },
  "show.domain": { en: "Domain", zh: "域名" },
  "show.source": { en: "Source", zh: "来源" },
  "show.in-stage": { en: "In stage", zh: "停留" },
  "show.next-step": { en: "Next step", zh: "下一步" },
  "show.history": { en: "History", zh: "历史记录" },
  "show.days": { en: "{days} d", zh: "{days} 天" },
  "duration.minutes": { en: "{n} min", zh: "{n} 分钟" },
  "duration.hours": { en: "{n} h", zh: "{n} 小时" },
  "show.days-of": { en: "{days} of {sla} d", zh: "{days}/{sla} 天" },
  "show.nobody": { en: "unassigned (pool)", zh: "未分配(公海)" },
  "history.created": { en: "{at} created in {to} by {actor}", zh: "{at} {actor} 创建,阶段「{to}」" },
  "history.transition": { en: "{at} {from} → {to} by {actor}{reason} (after {days} in {from})", zh: "{at} {actor}:「{from}」→「{to}」{reason}(在「{from}」停留 {days})" },
  "history.bant-failed": { en: "{at} BANT not passed by {actor} ({reason})", zh: "{at} {actor} 资格审查未通过({reason})" },
  "history.renewal": { en: "{at} renewal {amount} by {actor}", zh: "{at} {actor} 续费 {amount}" },
  "history.expansion": { en: "{at} expansion {amount} by {actor}", zh: "{at} {actor} 增购 {amount}" },
  "history.reassign": { en: "{at} reassigned by {actor}", zh: "{at} {actor} 重新分配" },
  "history.next-step": { en: "{at} next step set by {actor}: {reason}", zh: "{at} {actor} 设置下一步:{reason}" },
  "history.system": { en: "the bot", zh: "系统" },
  "mine.title": { en: "Your accounts ({count})", zh: "我的客户({count})" },
  "mine.empty": { en: "You have no open accounts.", zh: "你目前没有进行中的客户。" },
  "mine.overdue": { en: "overdue", zh: "已超期" },
  "tasks.title": { en: "Your open tasks ({count})", zh: "我的待办({count})" },
  "tasks.empty": { en: "No open tasks.", zh: "没有待办任务。" },
  "tasks.done": { en: "Task #{task} done.", zh: "任务 #{task} 已完成。" },
  "tasks.button": { en: "Done", zh: "完成" },
  "funnel.title": { en: "Funnel{team}: {total} open accounts", zh: "漏斗{team}:共 {total} 个进行中的客户" },
  "funnel.forecast": { en: "Forecast (amount in {stages}): {amount}", zh: "预测(「{stages}」阶段金额合计):{amount}" },
  "funnel.row": { en: "{stage}: {count}", zh: "「{stage}」:{count} 个" },
  "funnel.time": { en: "{stage}: avg {mean} d, median {median} d{sla} ({moves} moves)", zh: "「{stage}」:平均 {mean} 天,中位数 {median} 天{sla}(共 {moves} 次)" },
  "funnel.time-sla": { en: " vs SLA {days} {unit}", zh: ",SLA {days} {unit}" },
  "funnel.time-title": { en: "Time in stage (last 90 days)", zh: "阶段停留时间(近 90 天)" },
  "funnel.conversion-title": { en: "Conversion, last {days} days", zh: "转化率(近 {days} 天)" },
  "funnel.conversion": { en: "{from} → {to}: {rate}% ({forward} of {total})", zh: "「{from}」→「{to}」:{rate}%({total} 个中 {forward} 个)" },
  "funnel.none": { en: "No moves yet.", zh: "暂无流转。" },
  "funnel.source-title": { en: "By source (accounts that ever reached each stage)", zh: "按来源(曾到达各阶段的客户数)" },
  "funnel.source": { en: "{source}: {steps}", zh: "{source}:{steps}" },
  "funnel.source-none": { en: "(no source)", zh: "(无来源)" },
  "unit.business": { en: "business d", zh: "个工作日" },
  "unit.calendar": { en: "d", zh: "天" },
  "digest.title": { en: "☀️ {team} daily digest · {day}", zh: "☀️ {team}每日摘要 · {day}" },
  "digest.stalled": { en: "⏰ Stalled: {count} account(s), worst first", zh: "⏰ 停滞客户:{count} 个(最严重的在前)" },
  "digest.stalled-none": { en: "✅ Nothing stalled in your stages.", zh: "✅ 本团队负责的阶段没有停滞客户。" },
  "digest.item": { en: "#{id} {company} — {stage} · {owner} · {days} · last activity {last}{next}", zh: "#{id} {company} — {stage} · {owner} · {days} · 最近活动 {last}{next}" },
  "digest.days": { en: "{days} of {sla} {unit}", zh: "已 {days}/{sla} {unit}" },
  "digest.idle": { en: "idle {days} d (limit {limit})", zh: "{days} 天无活动(上限 {limit})" },
  "digest.next": { en: " · next: {day} {note}", zh: " · 下一步:{day} {note}" },
  "digest.counts": { en: "Accounts in your stages", zh: "本团队各阶段客户数" },
  "digest.speed-title": { en: "Speed to lead (median MQL → accept, last 30 days)", zh: "线索响应速度(营销合格线索 → 接受的中位时长,近 30 天)" },
  "digest.speed": { en: "{name}: {hours} h ({moves})", zh: "{name}:{hours} 小时({moves} 个)" },
  "digest.more": { en: "Full lists: /funnel {team} · /lead show <account>", zh: "完整列表:/funnel {team} · /lead show <客户>" },
} satisfies Record<string, Record<"en" | "zh", string>>;

/** The key of a sentence the bot can say. */
export type MessageKey = keyof typeof MESSAGES;

/** A sentence in the locale, with `{name}` parameters filled in. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template: string = MESSAGES[key][locale === "zh-CN" ? "zh" : "en"];
  return template.replace(/\{(\w+)\}/g, (whole: string, name: string) => (name in params ? String(params[name]) : whole));
}

/** A list joined the way each language joins lists. */
export function joinList(locale: Locale, items: readonly string[]): string {
  return items.join(locale === "zh-CN" ? "、" : ", ");
}
