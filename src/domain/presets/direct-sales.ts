import type { PlaybookInput } from "../playbook.js";

/**
 * Seed 001, case 2: a manufacturer whose sales reps follow up every lead in person from the first contact,
 * with no MQL gate. Leads sales returns for nurture go to marketing (RETURNED); leads with no interest,
 * budget or fit are set aside (UNQUALIFIED) and re-evaluated now and then.
 */
export const directSales: PlaybookInput = {
  name: "direct-sales",
  title: { en: "Direct sales lifecycle", zh: "直销客户生命周期" },
  // Marketing comes first because returns and disqualifications are reported to the first team.
  teams: [
    { key: "marketing", name: { en: "Marketing", zh: "市场部" } },
    { key: "sales", name: { en: "Sales", zh: "销售部" } },
  ],
  initialStage: "LEAD",
  stages: [
    {
      // Sales owns leads from the start, whatever their source or depth of interest.
      code: "LEAD", name: { en: "Lead", zh: "潜在客户" }, teams: ["sales", "marketing"], sla: { days: 1, unit: "business" },
      checklist: [{ key: "contact-recorded", label: { en: "Contact details recorded", zh: "已记录联系方式" } }],
    },
    { code: "FOLLOW_UP", name: { en: "Follow-up", zh: "直接后续跟进" }, teams: ["sales"], sla: { days: 5, unit: "business" }, assignTo: "sales" },
    {
      code: "SQL", name: { en: "Sales qualified", zh: "销售合格线索" }, teams: ["sales"], sla: { days: 14, unit: "calendar" }, forecast: true, probability: 0.2,
      checklist: [
        { key: "detailed-discussion", label: { en: "Detailed sales discussion held", zh: "已进行详细的销售洽谈" } },
        { key: "sales-review", label: { en: "Reviewed by sales: likely to buy", zh: "销售部门已审查,确认有望成交" } },
      ],
    },
    {
      code: "OPPORTUNITY", name: { en: "Opportunity", zh: "商机" }, teams: ["sales"], sla: { days: 30, unit: "calendar" }, forecast: true, probability: 0.5,
      checklist: [
        { key: "contract-signed", label: { en: "Contract signed", zh: "合同已签署" } },
        { key: "payment-received", label: { en: "Payment received", zh: "款项已到账" } },
      ],
    },
    { code: "CUSTOMER", name: { en: "Customer", zh: "客户" }, teams: ["sales"], idleDays: 90, customer: true, renewals: true },
    { code: "RETURNED", name: { en: "Returned to marketing", zh: "销售部退回的线索" }, teams: ["marketing"], sla: { days: 90, unit: "calendar" } },
    { code: "UNQUALIFIED", name: { en: "Unqualified", zh: "销售部认为不合格线索" }, teams: ["marketing", "sales"], sla: { days: 180, unit: "calendar" } },
    { code: "LOST", name: { en: "Lost", zh: "丢单" }, teams: ["sales"], closed: true },
  ],
  transitions: [
    { from: "LEAD", to: "FOLLOW_UP", verb: "handoff" },
    { from: "LEAD", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "FOLLOW_UP", to: "SQL", verb: "qualify" },
    { from: "FOLLOW_UP", to: "RETURNED", verb: "return", reasons: "returned" },
    { from: "FOLLOW_UP", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SQL", to: "OPPORTUNITY", verb: "advance" },
    { from: "SQL", to: "RETURNED", verb: "return", reasons: "returned" },
    { from: "SQL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SQL", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "OPPORTUNITY", to: "CUSTOMER", verb: "sign" },
    { from: "OPPORTUNITY", to: "LOST", verb: "lose", reasons: "lost" },
    // A nurtured lead that is ready again goes straight back to a rep, as every lead does here.
    { from: "RETURNED", to: "FOLLOW_UP", verb: "recycle" },
    { from: "RETURNED", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "UNQUALIFIED", to: "LEAD", verb: "recycle" },
    { from: "LOST", to: "LEAD", verb: "recycle" },
  ],
  reasons: {
    returned: [
      { key: "not-ready", label: { en: "Not ready to buy yet", zh: "尚未准备好购买" } },
      { key: "needs-info", label: { en: "Needs more information", zh: "需要更多信息" } },
      { key: "long-cycle", label: { en: "Needs a longer engagement", zh: "需要更长的参与时间" } },
      { key: "future", label: { en: "Possible future opportunity", zh: "未来可能有机会" } },
      { key: "no-contact", label: { en: "Could not reach the contact", zh: "联系不上" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    unqualified: [
      { key: "no-interest", label: { en: "No real interest", zh: "缺乏真正的兴趣" } },
      { key: "no-budget", label: { en: "No financial capacity", zh: "缺乏财务能力" } },
      { key: "not-a-fit", label: { en: "Does not match what we offer", zh: "与产品或服务不一致" } },
      { key: "duplicate", label: { en: "Duplicate", zh: "重复线索" } },
      { key: "spam", label: { en: "Spam or fake", zh: "垃圾或虚假信息" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    lost: [
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "competitor", label: { en: "Chose a competitor", zh: "选择了竞争对手" } },
      { key: "no-decision", label: { en: "No decision / project cancelled", zh: "无决策或项目取消" } },
      { key: "requirements", label: { en: "Requirements not met", zh: "需求无法满足" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
  },
};
