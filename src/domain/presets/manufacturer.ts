import type { PlaybookInput } from "../playbook.js";

/**
 * Seed 001, case 1: a Chinese maker of custom machinery for overseas buyers. 咨询 (Lead) → 询价 (MQL) →
 * 谈判 (SQL) → 生产 (Opportunity) → 结款 (Customer) → 介绍 (Evangelist); a deal can be lost until the
 * machine has shipped.
 */
export const manufacturer: PlaybookInput = {
  name: "manufacturer",
  title: { en: "Custom machinery maker", zh: "定制设备制造商客户生命周期" },
  teams: [
    { key: "marketing", name: { en: "Marketing", zh: "市场部" } },
    { key: "sales", name: { en: "Sales", zh: "外贸业务部" } },
    { key: "production", name: { en: "Production", zh: "生产部" } },
    { key: "service", name: { en: "After-sales service", zh: "售后服务部" }, kind: "support" },
  ],
  initialStage: "INQUIRY",
  stages: [
    {
      code: "INQUIRY", name: { en: "Inquiry", zh: "咨询" }, teams: ["marketing"], sla: { days: 2, unit: "business" },
      checklist: [
        { key: "contact-complete", label: { en: "Contact info complete", zh: "联系方式完整" } },
        { key: "in-range", label: { en: "Asks for machinery we build", zh: "咨询的设备在我们的制造范围内" } },
        { key: "basic-needs", label: { en: "Model, quantity and use captured", zh: "已记录型号、数量和用途" } },
      ],
    },
    { code: "QUOTE", name: { en: "Request for quote", zh: "询价" }, teams: ["sales", "marketing"], sla: { days: 1, unit: "business" }, assignTo: "sales" },
    {
      code: "NEGOTIATION", name: { en: "Negotiation", zh: "谈判" }, teams: ["sales"], sla: { days: 30, unit: "calendar" }, forecast: true, probability: 0.4,
      checklist: [
        { key: "customization-agreed", label: { en: "Customization agreed", zh: "定制方案已确认" } },
        { key: "price-agreed", label: { en: "Price agreed", zh: "价格已谈妥" } },
        { key: "delivery-agreed", label: { en: "Delivery schedule agreed", zh: "交付时间表已确认" } },
        { key: "contract-deposit", label: { en: "Contract signed, deposit received", zh: "合同已签署,定金已到账" } },
      ],
    },
    {
      // Production's digest lists late orders; the sales rep who won the order stays its owner (跟单).
      code: "PRODUCTION", name: { en: "In production", zh: "生产" }, teams: ["production", "sales"], sla: { days: 60, unit: "calendar" }, forecast: true, probability: 0.9,
      checklist: [
        { key: "production-done", label: { en: "Production complete", zh: "生产完成" } },
        { key: "inspection-passed", label: { en: "Factory inspection passed", zh: "出厂检验合格" } },
        { key: "shipped", label: { en: "Shipped", zh: "已发货" } },
      ],
    },
    {
      code: "PAYMENT", name: { en: "Payment", zh: "结款" }, teams: ["sales", "service"], sla: { days: 30, unit: "calendar" }, customer: true,
      checklist: [
        { key: "setup-done", label: { en: "Installed and commissioned", zh: "设备安装调试成功" } },
        { key: "concerns-resolved", label: { en: "Customer concerns resolved", zh: "客户关切已解决" } },
        { key: "balance-paid", label: { en: "Balance paid", zh: "尾款已结清" } },
      ],
    },
    { code: "EVANGELIST", name: { en: "Evangelist", zh: "介绍" }, teams: ["sales", "service"], idleDays: 90, customer: true, renewals: true },
    { code: "LOST", name: { en: "Lost", zh: "丢单" }, teams: ["sales", "marketing"], closed: true },
  ],
  transitions: [
    { from: "INQUIRY", to: "QUOTE", verb: "handoff" },
    { from: "INQUIRY", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "QUOTE", to: "NEGOTIATION", verb: "accept" },
    { from: "QUOTE", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "NEGOTIATION", to: "PRODUCTION", verb: "sign" },
    { from: "NEGOTIATION", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "PRODUCTION", to: "PAYMENT", verb: "advance" },
    { from: "PRODUCTION", to: "LOST", verb: "lose", reasons: "lost" },
    { from: "PAYMENT", to: "EVANGELIST", verb: "advance" },
    { from: "LOST", to: "INQUIRY", verb: "recycle" },
  ],
  reasons: {
    lost: [
      { key: "no-response", label: { en: "Buyer stopped responding", zh: "客户失联" } },
      { key: "not-a-fit", label: { en: "Not something we can build", zh: "超出我们的制造范围" } },
      { key: "price", label: { en: "Price", zh: "价格" } },
      { key: "lead-time", label: { en: "Delivery time too long", zh: "交期不满足" } },
      { key: "specs", label: { en: "Technical requirements not met", zh: "技术要求无法满足" } },
      { key: "competitor", label: { en: "Chose another supplier", zh: "选择了其他供应商" } },
      { key: "order-cancelled", label: { en: "Order cancelled", zh: "订单取消" } },
      { key: "other", label: { en: "Other", zh: "其他" } },
    ],
  },
  automations: [
    {
      kind: "message-on-enter", stage: "PRODUCTION", to: "team",
      text: {
        en: "New order in production: confirm the agreed customization and delivery date with the sales owner.",
        zh: "新订单进入生产:请与负责的业务员确认定制方案和交付日期。",
      },
    },
    { kind: "task-after-days", stage: "EVANGELIST", days: 30, task: "ask-referral", title: { en: "Ask for a referral or a case study", zh: "请客户介绍新客户或提供案例" } },
  ],
};
