import type { PlaybookInput } from "../playbook.js";

// The default funnel: the stage table of seed 000, with SAL, RETURNED and UNQUALIFIED from 001 and 003.
export const emailSaas: PlaybookInput = {
  name: "email-saas",
  title: { en: "Email SaaS lifecycle", zh: "邮件 SaaS 客户生命周期" },
  teams: [
    { key: "marketing", name: { en: "Marketing", zh: "市场部" } },
    { key: "sales", name: { en: "Sales", zh: "销售部" } },
    { key: "cs", name: { en: "Customer success", zh: "客户成功部" } },
    { key: "support", name: { en: "Tech support", zh: "技术支持部" } },
  ],
  initialStage: "LEAD",
  stages: [
    {
      code: "LEAD", name: { en: "Lead", zh: "线索" }, teams: ["marketing"], sla: { days: 14, unit: "calendar" },
      checklist: [
        { key: "contact-complete", label: { en: "Contact info complete", zh: "联系信息完备" } },
        { key: "icp-fit", label: { en: "Fits the ideal customer profile", zh: "符合目标客户画像" } },
      ],
    },
    { code: "MQL", name: { en: "MQL", zh: "营销合格线索" }, teams: ["sales"], sla: { days: 1, unit: "business" }, assignTo: "sales" },
    {
      code: "SAL", name: { en: "Sales accepted", zh: "销售认可线索" }, teams: ["sales"], sla: { days: 5, unit: "business" },
      checklist: [{ key: "deep-conversation", label: { en: "First deep conversation held", zh: "已进行首次深度沟通" } }],
    },
    {
      code: "SQL", name: { en: "Opportunity", zh: "商机" }, teams: ["sales"], sla: { days: 30, unit: "calendar" }, forecast: true, probability: 0.3,
      checklist: [
        { key: "bant-complete", label: { en: "BANT complete", zh: "BANT 信息完整" } },
        { key: "pain-confirmed", label: { en: "Customer confirms the pain and plans to solve it", zh: "客户确认痛点且计划解决" } },
      ],
    },
    {
      code: "PQL", name: { en: "Product qualified", zh: "产品验证" }, teams: ["sales"], sla: { days: 14, unit: "calendar" }, assignTo: "sales",
      checklist: [
        { key: "api-or-smtp", label: { en: "API debugged or SMTP configured", zh: "已完成 API 调试或 SMTP 配置" } },
        { key: "test-email", label: { en: "Test email sent through us", zh: "已通过平台发送测试邮件" } },
      ],
    },
    {
      code: "P0", name: { en: "Signed", zh: "签约待接入" }, teams: ["sales", "cs"], sla: { days: 3, unit: "business" }, forecast: true, probability: 0.9, customer: true,
      checklist: [
        { key: "contract-paid", label: { en: "Contract returned, payment processed", zh: "合同已回传,款项已处理" } },
        { key: "account-delivered", label: { en: "Account and docs delivered", zh: "客户已拿到正式账号和文档" } },
      ],
    },
    {
      code: "P1", name: { en: "Integration", zh: "技术对接" }, teams: ["cs", "support"], sla: { days: 14, unit: "calendar" }, customer: true, assignTo: "cs",
      checklist: [
        { key: "kickoff-held", label: { en: "Kick-off held, contacts named", zh: "已开启动会,明确对接人" } },
        { key: "calling-api", label: { en: "Customer calling the API / SMTP", zh: "客户已开始调用 API 或配置 SMTP" } },
      ],
    },
    {
      code: "P2", name: { en: "Testing", zh: "测试发送" }, teams: ["cs", "support"], sla: { days: 7, unit: "calendar" }, customer: true,
      checklist: [
        { key: "first-test-email", label: { en: "First test email sent", zh: "已成功发送第一封测试邮件" } },
        { key: "domain-auth", label: { en: "Domain authentication configured", zh: "域名认证等配置完毕" } },
      ],
    },
    {
      code: "P3", name: { en: "Go-live", zh: "初期生产" }, teams: ["cs"], sla: { days: 14, unit: "calendar" }, customer: true,
      checklist: [
        { key: "first-production-send", label: { en: "First production send done", zh: "首次生产邮件发送完成" } },
        { key: "rates-normal", label: { en: "Delivery and open rates normal", zh: "到达率、打开率等指标正常" } },
      ],
    },
    {
      code: "P4", name: { en: "Stable", zh: "稳定发送" }, teams: ["cs"], sla: { days: 28, unit: "calendar" }, customer: true,
      checklist: [
        { key: "stable-volume", label: { en: "2–4 weeks of stable volume", zh: "连续 2–4 周发送量稳定" } },
        { key: "no-major-incident", label: { en: "No major incident", zh: "无重大故障反馈" } },
      ],
    },
    { code: "P5", name: { en: "Mature", zh: "成熟客户" }, teams: ["cs", "sales"], idleDays: 30, customer: true, renewals: true },
    {
      code: "CHURNED", name: { en: "Churned", zh: "流失客户" }, teams: ["cs", "sales"], sla: { days: 30, unit: "calendar" },
    },
    { code: "RETURNED", name: { en: "Returned to marketing", zh: "销售退回" }, teams: ["marketing"], sla: { days: 90, unit: "calendar" } },
    { code: "UNQUALIFIED", name: { en: "Unqualified", zh: "不合格" }, teams: ["marketing"], sla: { days: 180, unit: "calendar" } },
    { code: "LOST", name: { en: "Lost", zh: "丢单" }, teams: ["sales"], closed: true },
    { code: "ARCHIVED", name: { en: "Archived", zh: "归档" }, teams: ["cs", "sales", "marketing"], closed: true },
  ],
  transitions: [
    { from: "LEAD", to: "MQL", verb: "handoff" },
    { from: "LEAD", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "MQL", to: "SAL", verb: "accept" },
    { from: "MQL", to: "RETURNED", verb: "return", reasons: "returned" },
    { from: "MQL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SAL", to: "SQL", verb: "qualify" },
    { from: "SAL", to: "RETURNED", verb: "return", reasons: "returned" },
    { from: "SAL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "SQL", to: "PQL", verb: "validate" },
    { from: "SQL", to: "P0", verb: "sign" },
    { from: "SQL", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "SQL", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "PQL", to: "P0", verb: "validate-pass" },
    { from: "PQL", to: "SQL", verb: "validate-fail" },
    { from: "PQL", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "P0", to: "P1", verb: "advance" },
    { from: "P0", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "P1", to: "P2", verb: "advance" },
    { from: "P1", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "P2", to: "P3", verb: "advance" },
    { from: "P2", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "P3", to: "P4", verb: "advance" },
    { from: "P3", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "P4", to: "P5", verb: "advance" },
    { from: "P4", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "P5", to: "CHURNED", verb: "churn", reasons: "churned" },
    { from: "CHURNED", to: "PQL", verb: "winback" },
    { from: "CHURNED", to: "ARCHIVED", verb: "archive" },
    { from: "RETURNED", to: "MQL", verb: "recycle" },
    { from: "RETURNED", to: "UNQUALIFIED", verb: "disqualify", reasons: "unqualified" },
    { from: "UNQUALIFIED", to: "LEAD", verb: "recycle" },
    { from: "UNQUALIFIED", to: "MQL", verb: "handoff" },
    { from: "LOST", to: "MQL", verb: "recycle" },
    { from: "LOST", to: "ARCHIVED", verb: "archive" },
  ],
  reasons: {
    returned: [
      { key: "no-contact", label: { en: "Could not reach the contact", zh: "联系不上" } },
      { key: "not-ready", label: { en: "Interested but not ready to buy", zh: "有兴趣但暂无购买计划" } },
      { key: "wrong-person", label: { en: "Not the right person", zh: "联系人不对" } },
      { key: "info-incomplete", label: { en: "Information incomplete", zh: "信息不完整" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    unqualified: [
      { key: "not-icp", label: { en: "Outside the ideal customer profile", zh: "不符合目标客户画像" } },
      { key: "competitor", label: { en: "Competitor or partner", zh: "竞争对手或合作伙伴" } },
      { key: "student-personal", label: { en: "Student or personal use", zh: "学生或个人用途" } },
      { key: "spam", label: { en: "Spam or fake", zh: "垃圾或虚假信息" } },
      { key: "duplicate", label: { en: "Duplicate", zh: "重复线索" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    lost: [
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "competitor", label: { en: "Chose a competitor", zh: "选择了竞争对手" } },
      { key: "no-decision", label: { en: "No decision / project cancelled", zh: "无决策或项目取消" } },
      { key: "product-gap", label: { en: "Product gap", zh: "产品功能不满足" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
    churned: [
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "deliverability", label: { en: "Deliverability problems", zh: "送达率问题" } },
      { key: "moved-to-competitor", label: { en: "Moved to a competitor", zh: "转向竞争对手" } },
      { key: "business-closed", label: { en: "Business closed or changed", zh: "业务关闭或调整" } },
      { key: "no-usage", label: { en: "Stopped sending", zh: "发送量降为零" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
  },
  automations: [
    {
      kind: "message-on-enter", stage: "P2", to: "owner",
      text: {
        en: "Entering testing: share the deliverability best-practice guide (SPF, DKIM, DMARC, warm-up, list hygiene) with the customer.",
        zh: "进入测试发送:请把《提升邮件到达率最佳实践指南》(SPF、DKIM、DMARC、IP 预热、列表清洗)发给客户。",
      },
    },
    { kind: "task-after-days", stage: "P5", days: 90, task: "explore-expansion", title: { en: "Explore expansion", zh: "挖掘增购需求" } },
  ],
  scoring: {
    behaviour: { "page-visit": 1, download: 5, webinar: 10, "email-open": 1, "email-click": 3, "pricing-visit": 10 },
    demographic: {
      title: { ceo: 10, cto: 10, vp: 8, director: 6, manager: 3 },
      size: { "1-10": 0, "11-50": 3, "51-200": 6, "201-1000": 10, "1000+": 10 },
      industry: { ecommerce: 10, saas: 8, fintech: 6, education: 3 },
      region: { cn: 5, sea: 5, us: 3, eu: 3 },
    },
    grades: { hot: 60, warm: 30 },
    mqlThreshold: 50,
  },
};
