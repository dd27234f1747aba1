import type { BudgetEffect } from "../domain/funnel.js";
import { isQualifyMove, type Playbook } from "../domain/playbook.js";
import { joinList, sentences, t } from "./i18n.js";
import { stageName } from "./render-notice.js";
import { say } from "./render-reply.js";
import type { Locale, Reply } from "./reply.js";

/** What an accepted action did, as the reply to the person who acted needs it. */
export interface OutcomeFacts {
  readonly company: string;
  readonly event: string;
  readonly fromStage: string;
  readonly toStage: string;
  readonly ownerName: string | null;
  readonly amount: number;
  readonly bantFailures: readonly string[] | null;
  readonly nextStep: { readonly day: string; readonly note: string } | null;
  readonly budget?: BudgetEffect | null;
}

/** One line telling the person who acted what happened: moved, qualified (and the amount the budget set), renewed … */
export function describeOutcome(playbook: Playbook, outcome: OutcomeFacts, locale: Locale): Reply {
  const stage = (code: string) => stageName(playbook, code, locale);
  const params = { company: outcome.company, from: stage(outcome.fromStage), to: stage(outcome.toStage), stage: stage(outcome.toStage) };
  let text: string;
  switch (outcome.event) {
    case "bant-failed":
      text = t(locale, "bant.failed", { ...params, failures: joinList(locale, (outcome.bantFailures ?? []).map((f) => t(locale, f === "confirmed" ? "bant.confirmed" : "bant.engaged"))) });
      break;
    case "renewal":
    case "expansion":
      text = t(locale, "renewed", { company: outcome.company, kind: t(locale, outcome.event), amount: "", total: outcome.amount.toLocaleString("en-US") }).replace("  ", " ");
      break;
    case "reassign":
      text = t(locale, "reassigned", { company: outcome.company, owner: outcome.ownerName ?? "—" });
      break;
    case "nudge":
      text = t(locale, "nudged", { company: outcome.company, owner: outcome.ownerName ?? "—" });
      break;
    case "next-step":
      text = t(locale, "next-step", { company: outcome.company, day: outcome.nextStep?.day ?? "", note: outcome.nextStep?.note ?? "" });
      break;
    default:
      // Whatever the playbook calls its stages, its `qualify` move is the one BANT passes.
      text = isQualifyMove(playbook, outcome.fromStage, outcome.toStage)
        ? t(locale, "bant.passed", params)
        : sentences(locale, [t(locale, "moved", params), outcome.ownerName && t(locale, "moved.owner", { owner: outcome.ownerName })]);
  }
  return say(`✅ ${sentences(locale, [text.replace(/^✅ /, ""), outcome.budget && budgetLine(outcome.budget, locale)])}`, undefined, false);
}

/** What the BANT budget did to the amount, in a sentence: set from it, already it, or left because unconfirmed. */
export function budgetLine(budget: BudgetEffect, locale: Locale): string {
  const money = (amount: number, currency: string) => `${amount.toLocaleString("en-US")} ${currency}`;
  switch (budget.kind) {
    case "set": return t(locale, "budget.set", { amount: money(budget.amount, budget.currency) });
    case "same": return t(locale, "budget.same", { amount: money(budget.amount, budget.currency) });
    case "unconfirmed": return t(locale, "budget.unconfirmed", { amount: money(budget.amount, budget.currency) });
  }
}
