import { describe, expect, it } from "vitest";
import { checklistForm, renderAccount } from "../../src/commands/render-reply.js";
import { moveButtons, renderNotice, stageName } from "../../src/commands/render-notice.js";
import { t, type MessageKey } from "../../src/commands/i18n.js";
import { describeOutcome } from "../../src/commands/describe-outcome.js";
import { parseCommand } from "../../src/commands/parser.js";
import type { AccountState } from "../../src/domain/account.js";
import { chinaCalendar } from "../../src/config/calendar.js";

const DEFAULT_CALENDAR = chinaCalendar();
import { loadPreset } from "../../src/domain/presets/index.js";

const playbook = loadPreset("email-saas")!;

function account(stage: string, enteredAt: Date): AccountState {
  return {
    id: 24, company: "Xiamen Harbor", domain: null, email: null, source: null, ownerId: 3, stage, stageEnteredAt: enteredAt, lastActivityAt: enteredAt,
    amount: 0, currency: "CNY", score: 0, nextStepAt: null, nextStepNote: null, version: 1,
  };
}

// Monday 2026-11-16 to Wednesday 2026-11-25 in Shanghai: seven business days.
const entered = new Date("2026-11-16T02:00:00Z");
const now = new Date("2026-11-25T02:00:00Z");

describe("the reply model says things as people do", () => {
  it("says time in stage against the SLA in words, in both languages", () => {
    const field = (locale: "en" | "zh-CN") => {
      const reply = renderAccount(playbook, DEFAULT_CALENDAR, account("P0", entered), "Bob", [], now, locale);
      const block = reply.blocks.find((b) => b.kind === "fields");
      return block?.kind === "fields" ? block.fields[2]!.value : "";
    };
    expect(field("en")).toBe("7 business days, SLA 3 business days");
    expect(field("zh-CN")).toBe("7 个工作日,SLA 3 个工作日");
  });

  it("shows P-level codes beside the stage names, and names the timezone of the times", () => {
    expect(stageName(playbook, "P1", "zh-CN")).toBe("P1 技术对接");
    expect(stageName(playbook, "P1", "en")).toBe("P1 Integration");
    expect(stageName(playbook, "SQL", "en")).toBe("Opportunity");
    expect(renderAccount(playbook, DEFAULT_CALENDAR, account("P0", entered), "Bob", [], now, "en").text).toContain(`History (times in ${DEFAULT_CALENDAR.timezone}):`);
  });

  it("asks a reason dialog's question before the move, rather than reporting it done", () => {
    const button = moveButtons(playbook, account("MQL", entered), "en").find((b) => b.command.startsWith("lead return"))!;
    expect(button.form?.title).toBe("Return Xiamen Harbor to marketing — why?");
    const zh = moveButtons(playbook, account("MQL", entered), "zh-CN").find((b) => b.command.startsWith("lead return"))!;
    expect(zh.form?.title).toBe("为什么把 Xiamen Harbor 退回市场?");
  });

  it("names the stage a checklist moves the account to", () => {
    const form = checklistForm(playbook, account("P0", entered), "account.advance", null, "en")!;
    expect(form.title).toBe("Before moving Xiamen Harbor from P0 Signed to P1 Integration, confirm");
    expect(form.submitLabel).toBe("Move to P1 Integration");
    expect(form.fields[0]!.label).toBe("P0 Signed");
  });

  it("names the owner on an MQL card, so the channel copy does not say “you”", () => {
    const facts = { playbook, account: account("MQL", entered), actorName: "Mia", reason: null, ownerName: "Chen Chen" };
    expect(renderNotice("mql-assigned", facts, "en").text).toMatch(/^New MQL for Chen Chen: Xiamen Harbor/);
    expect(renderNotice("mql-assigned", facts, "zh-CN").text).toContain("Chen Chen");
    // The owner's own copy speaks to them.
    expect(renderNotice("mql-assigned", { ...facts, toOwner: true }, "en").text).toMatch(/^New MQL for you: Xiamen Harbor/);
    expect(renderNotice("mql-assigned", { ...facts, toOwner: true }, "zh-CN").text).toMatch(/^你有一条新的营销合格线索:Xiamen Harbor/);
  });

  it("writes a Chinese duration and its 内 / 后 together: 1 个工作日内, not 1 个工作日 内", () => {
    const facts = { playbook, account: account("MQL", entered), actorName: "Mia", reason: null, ownerName: "陈晨" };
    expect(renderNotice("mql-assigned", facts, "zh-CN").text).toContain("请在 1 个工作日内接受");
    const keys: MessageKey[] = ["notice.mql-assigned", "claimed", "escalation.rep", "escalation.manager", "escalation.released", "escalation.released-rep"];
    for (const key of keys) {
      const text = t("zh-CN", key, { company: "Acme", id: 7, owner: "陈晨", rep: "陈晨", sla: "2 个工作日", release: "3 天" });
      expect(text, key).not.toMatch(/(工作日|天) [内后]/);
    }
  });

  it("puts no space between Chinese sentences, and one between English ones", () => {
    const moved = { company: "Acme", event: "transition", fromStage: "MQL", toStage: "SAL", ownerName: "陈晨", amount: 0, bantFailures: null, nextStep: null };
    expect(describeOutcome(playbook, moved, "zh-CN").text).toBe("✅ Acme 已从「营销合格线索」推进到「销售认可线索」。负责人:陈晨。");
    expect(describeOutcome(playbook, moved, "en").text).toBe("✅ Acme moved MQL → Sales accepted. Owner: 陈晨.");
  });

  it("offers an opportunity's and a customer's ways on and out as buttons, each a command the parser reads", () => {
    const sql = moveButtons(playbook, account("SQL", entered), "en");
    expect(sql.map((b) => [b.label, b.command])).toEqual([
      ["Start product validation", "account validate #24"], ["Signed", "account sign #24"], ["Lost", "lead lost #24"], ["Unqualified", "lead unqualified #24"],
    ]);
    expect(sql.find((b) => b.label === "Lost")!.form?.title).toBe("Mark Xiamen Harbor lost — why?");
    const pql = moveButtons(playbook, account("PQL", entered), "zh-CN");
    expect(pql.map((b) => b.label)).toEqual(["验证通过", "验证未通过", "丢单"]);
    expect(moveButtons(playbook, account("P2", entered), "en").map((b) => b.label)).toEqual(["Advance to next stage", "Churned"]);
    for (const code of ["SQL", "PQL", "P2"]) {
      for (const b of moveButtons(playbook, account(code, entered), "en")) expect(parseCommand(b.command).ok, b.command).toBe(true);
    }
  });
});
