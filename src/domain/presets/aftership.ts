import type { PlaybookInput } from "../playbook.js";

/**
 * Seed 003: AfterShip's first-purchase lifecycle. Leads move forward or stay; none ever moves back, so a
 * lead that fails a stage leaves the funnel (剔除) instead of being returned to marketing.
 */
export const aftership: PlaybookInput = {
  name: "aftership",
  title: { en: "AfterShip lead lifecycle", zh: "AfterShip 线索生命周期" },
  teams: [
    { key: "marketing", name: { en: "Marketing", zh: "市场团队" } },
    { key: "sales", name: { en: "Sales", zh: "销售团队" } },
  ],
  initialStage: "LEAD",
  forwardOnly: true,
  stages: [
    {
      code: "LEAD", name: { en: "Lead", zh: "线索" }, teams: ["marketing"], sla: { days: 14, unit: "calendar" },
      // To leave LEAD a lead must meet MQL's conditions, which include LEAD's own.
      checklist: [
        { key: "icp-fit", label: { en: "Fits the ideal customer profile", zh: "符合目标客户画像" } },
        { key: "contact-info", label: { en: "Has a phone number or email", zh: "有电话、邮箱等联系方式" } },
        { key: "marketing-channel", label: { en: "Came from a marketing channel (ads, events, social)", zh: "来源于市场营销渠道(线上广告、线下活动、自媒体等)" } },
        { key: "asked-for-sales", label: { en: "Asked to talk to sales about details or a demo", zh: "表示想与销售进一步沟通产品细节与演示" } },
      ],
    },
    {
      code: "MQL", name: { en: "MQL", zh: "营销合格线索" }, teams: ["sales", "marketing"], sla: { days: 1, unit: "business" }, assignTo: "sales",
      // SAL's conditions: what the rep checks by phone or email before accepting.
      checklist: [
        { key: "contact-established", label: { en: "Valid contact, conversation established", zh: "联系方式有效,且已建立有效联系" } },
        { key: "icp-confirmed", label: { en: "Fits the ideal customer profile", zh: "符合目标客户画像" } },
        { key: "real-need", label: { en: "Has a real, clear pain and need", zh: "有真实、清晰的痛点与需求" } },
      ],
    },
    {
      code: "SAL", name: { en: "Sales accepted", zh: "销售认可线索" }, teams: ["sales"], sla: { days: 5, unit: "business" },
      checklist: [
        { key: "discovery-meeting", label: { en: "Discovery meeting held", zh: "已召开需求沟通会议(Discovery Meeting)" } },
        { key: "solution-fit", label: { en: "We have a mature solution for the need", zh: "我们有成熟的解决方案满足其需求" } },
      ],
    },
    {
      code: "SQL", name: { en: "Sales qualified", zh: "销售合格线索" }, teams: ["sales"], sla: { days: 30, unit: "calendar" }, forecast: true, probability: 0.3,
      checklist: [
        { key: "scope-confirmed", label: { en: "Product and scope confirmed", zh: "已确定产品/需求范围" } },
        { key: "quote-sent", label: { en: "Quote sent", zh: "已提供报价方案" } },
        { key: "contract-signed", label: { en: "Contract signed", zh: "已签署合同" } },
        { key: "payment-done", label: { en: "Payment completed", zh: "已完成付费流程" } },
      ],
    },
    { code: "CUSTOMER", name: { en: "Customer", zh: "客户" }, teams: ["sales"], customer: true, renewals: true },
    { code: "LOST", name: { en: "Lost", zh: "丢单" }, teams: ["sales"] },
    { code: "UNQUALIFIED", name: { en: "Disqualified", zh: "已剔除" }, teams: ["marketing", "sales"] },
  ],
  transitions: [
    { from: "LEAD", to: "MQL", verb: "handoff" },
    { from: "LEAD", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "MQL", to: "SAL", verb: "accept" },
    { from: "MQL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SAL", to: "SQL", verb: "qualify" },
    { from: "SAL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SQL", to: "CUSTOMER", verb: "sign" },
    { from: "SQL", to: "LOST", verb: "lose", reasons: "lost" },
  ],
  reasons: {
    unqualified: [
      { key: "not-icp", label: { en: "Outside the ideal customer profile", zh: "不符合目标客户画像" } },
      { key: "no-contact", label: { en: "No valid contact", zh: "无有效联系方式" } },
      { key: "no-need", label: { en: "No real need", zh: "无真实需求" } },
      { key: "bant-not-met", label: { en: "BANT not met", zh: "不满足 BANT 条件" } },
      { key: "no-solution", label: { en: "We have no solution for the need", zh: "无成熟方案满足需求" } },
      { key: "duplicate", label: { en: "Duplicate", zh: "重复线索" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    lost: [
      { key: "stopped", label: { en: "Purchase stopped", zh: "购买流程中止" } },
      { key: "cancelled", label: { en: "Purchase cancelled", zh: "购买流程取消" } },
      { key: "past-close-date", label: { en: "Past the expected close date", zh: "超出预期关单时间" } },
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "competitor", label: { en: "Chose a competitor", zh: "选择了竞争对手" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
  },
};
