import type { PlaybookInput } from "../playbook.js";

/**
 * Seed 002: the classic sales funnel, Awareness → Interest → Consideration → Intent → Evaluation → Purchase,
 * extended with Retention and Advocacy. INTEREST plays the part of LEAD (a captured, scored lead in
 * nurture), CONSIDERATION of MQL (handed to sales) and INTENT of SQL (intent, budget and authority confirmed).
 */
export const classicFunnel: PlaybookInput = {
  name: "classic-funnel",
  title: { en: "Classic sales funnel", zh: "经典客户销售漏斗" },
  teams: [
    { key: "marketing", name: { en: "Marketing", zh: "市场团队" } },
    { key: "sales", name: { en: "Sales", zh: "销售团队" } },
    { key: "cs", name: { en: "Customer success", zh: "客户成功团队" } },
  ],
  initialStage: "AWARENESS",
  stages: [
    {
      code: "AWARENESS", name: { en: "Awareness", zh: "意识" }, teams: ["marketing"], sla: { days: 30, unit: "calendar" },
      checklist: [
        { key: "contact-captured", label: { en: "Left contact details (form filled or material downloaded)", zh: "已留下联系方式(填写表单或下载资料)" } },
        { key: "source-recorded", label: { en: "Source channel recorded", zh: "已记录线索来源渠道" } },
      ],
    },
    {
      code: "INTEREST", name: { en: "Interest", zh: "兴趣" }, teams: ["marketing"], sla: { days: 60, unit: "calendar" },
      checklist: [
        { key: "score-reached", label: { en: "Lead score reached the MQL threshold", zh: "线索评分达到 MQL 标准" } },
        { key: "icp-fit", label: { en: "Fits the ideal customer profile", zh: "符合目标客户画像" } },
        { key: "handoff-notes", label: { en: "Interaction history, interests and pains shared with sales", zh: "已向销售提供互动历史、兴趣点和痛点" } },
      ],
    },
    { code: "CONSIDERATION", name: { en: "Consideration", zh: "考虑" }, teams: ["sales", "marketing"], sla: { days: 2, unit: "business" }, assignTo: "sales" },
    {
      code: "INTENT", name: { en: "Intent", zh: "意图" }, teams: ["sales"], sla: { days: 14, unit: "calendar" }, forecast: true, probability: 0.25,
      checklist: [
        { key: "demo-given", label: { en: "Tailored product demo given", zh: "已完成定制化产品演示" } },
        { key: "quote-sent", label: { en: "Quote sent", zh: "已提供报价" } },
      ],
    },
    {
      code: "EVALUATION", name: { en: "Evaluation", zh: "评估" }, teams: ["sales"], sla: { days: 30, unit: "calendar" }, forecast: true, probability: 0.5,
      checklist: [
        { key: "objections-handled", label: { en: "Objections handled", zh: "已处理客户异议" } },
        { key: "contract-signed", label: { en: "Contract signed", zh: "已签署合同" } },
      ],
    },
    {
      code: "PURCHASE", name: { en: "Purchase", zh: "购买" }, teams: ["sales", "cs"], sla: { days: 5, unit: "business" }, customer: true,
      checklist: [
        { key: "payment-received", label: { en: "Payment received", zh: "款项已到账" } },
        { key: "handed-to-cs", label: { en: "Handed over to customer success", zh: "已移交客户成功团队" } },
      ],
    },
    {
      code: "RETENTION", name: { en: "Retention", zh: "留存" }, teams: ["cs", "sales"], idleDays: 30, customer: true, renewals: true, assignTo: "cs",
      checklist: [
        { key: "product-adopted", label: { en: "Customer makes full use of the product", zh: "客户已充分使用产品" } },
        { key: "agreed-to-advocate", label: { en: "Agreed to refer us or share a case study", zh: "客户同意推荐或分享案例" } },
      ],
    },
    { code: "ADVOCACY", name: { en: "Advocacy", zh: "拥护" }, teams: ["cs", "marketing"], idleDays: 90, customer: true, renewals: true },
    { code: "UNQUALIFIED", name: { en: "Unqualified", zh: "不合格" }, teams: ["marketing"], sla: { days: 180, unit: "calendar" } },
    { code: "LOST", name: { en: "Lost", zh: "丢单" }, teams: ["sales", "marketing"], closed: true },
    { code: "CHURNED", name: { en: "Churned", zh: "流失客户" }, teams: ["cs", "sales"], sla: { days: 30, unit: "calendar" } },
  ],
  transitions: [
    { from: "AWARENESS", to: "INTEREST", verb: "advance" },
    { from: "AWARENESS", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "INTEREST", to: "CONSIDERATION", verb: "handoff" },
    { from: "INTEREST", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "CONSIDERATION", to: "INTENT", verb: "qualify" },
    // Sales sends a lead that is not ready back into nurture rather than to a separate stage.
    { from: "CONSIDERATION", to: "INTEREST", verb: "return", reasons: "returned" },
    { from: "CONSIDERATION", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "INTENT", to: "EVALUATION", verb: "advance" },
    { from: "INTENT", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "INTENT", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "EVALUATION", to: "PURCHASE", verb: "sign" },
    { from: "EVALUATION", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "PURCHASE", to: "RETENTION", verb: "advance" },
    { from: "PURCHASE", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "RETENTION", to: "ADVOCACY", verb: "advance" },
    { from: "RETENTION", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "ADVOCACY", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "CHURNED", to: "CONSIDERATION", verb: "winback" },
    { from: "LOST", to: "INTEREST", verb: "recycle" },
    { from: "UNQUALIFIED", to: "INTEREST", verb: "recycle" },
  ],
  reasons: {
    returned: [
      { key: "low-score", label: { en: "Needs more nurturing", zh: "需要更多培养" } },
      { key: "not-ready", label: { en: "Interested but not ready to buy", zh: "有兴趣但暂无购买计划" } },
      { key: "no-contact", label: { en: "Could not reach the contact", zh: "联系不上" } },
      { key: "wrong-person", label: { en: "Not the right person", zh: "联系人不对" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    unqualified: [
      { key: "not-icp", label: { en: "Outside the ideal customer profile", zh: "不符合目标客户画像" } },
      { key: "no-budget", label: { en: "No budget", zh: "没有预算" } },
      { key: "no-authority", label: { en: "No authority to buy", zh: "没有采购决策权" } },
      { key: "competitor", label: { en: "Competitor or partner", zh: "竞争对手或合作伙伴" } },
      { key: "spam", label: { en: "Spam or fake", zh: "垃圾或虚假信息" } },
      { key: "duplicate", label: { en: "Duplicate", zh: "重复线索" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    lost: [
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "competitor", label: { en: "Chose another option", zh: "选择了其他方案" } },
      { key: "no-decision", label: { en: "No decision / project cancelled", zh: "无决策或项目取消" } },
      { key: "product-gap", label: { en: "Product gap", zh: "产品功能不满足" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    churned: [
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "low-usage", label: { en: "Did not make use of the product", zh: "未充分使用产品" } },
      { key: "support", label: { en: "Unhappy with support", zh: "对售后服务不满意" } },
      { key: "moved-to-competitor", label: { en: "Moved to a competitor", zh: "转向竞争对手" } },
      { key: "business-closed", label: { en: "Business closed or changed", zh: "业务关闭或调整" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
  },
  automations: [
    {
      kind: "message-on-enter", stage: "ADVOCACY", to: "team",
      text: {
        en: "New advocate: invite them to the referral programme, a case study and the customer community.",
        zh: "新的拥护者:请邀请客户参加推荐计划、案例研究和客户社区。",
      },
    },
    { kind: "task-after-days", stage: "RETENTION", days: 90, task: "ask-referral", title: { en: "Ask for a referral or a review", zh: "邀请客户推荐或评价" } },
  ],
  // Points per occurrence of a behaviour, plus one value per demographic attribute. Hot leads go to
  // sales; warm ones stay in nurture until more behaviour lifts them over the threshold.
  scoring: {
    behaviour: { "page-visit": 2, "key-page-visit": 5, download: 8, "email-open": 1, "email-click": 3 },
    demographic: {
      title: { "c-level": 15, vp: 12, director: 10, manager: 5, staff: 0 },
      size: { "1-49": 0, "50-199": 5, "200-999": 10, "1000+": 15 },
      industry: { software: 10, manufacturing: 8, retail: 6, education: 2 },
      region: { cn: 10, apac: 8, na: 6, eu: 6 },
    },
    grades: { hot: 60, warm: 30 },
    mqlThreshold: 60,
  },
};
