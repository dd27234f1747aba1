import { err, ok, type Result } from "./errors.js";
import { parseAmount, parseDay, parseYesNo } from "./values.js";

/** The BANT form's answers, validated. */
export interface BantAnswers {
  readonly budgetAmount: number;
  readonly budgetCurrency: string;
  readonly budgetConfirmed: boolean;
  readonly decisionMaker: string;
  readonly decisionRole: string | null;
  readonly authorityEngaged: boolean;
  readonly need: string;
  readonly useCase: string | null;
  readonly targetDate: string;
}

/** The form's field names, in the order the form shows them. */
export const BANT_FIELDS = ["budget", "currency", "confirmed", "dm", "role", "engaged", "need", "usecase", "date"] as const;
/** One of the BANT form's field names. */
export type BantField = (typeof BANT_FIELDS)[number];

/** Why one field was refused; platforms turn it into a sentence beside the field. */
export type FieldProblem = "required" | "invalid-amount" | "invalid-currency" | "invalid-yes-no" | "invalid-date" | "date-in-past" | "too-long";

const MAX_FIELD = 500;

/**
 * Validates the form field by field. Malformed answers are refused with every problem at once (nothing is
 * written); well-formed answers come back with `passed`, which says whether the lead qualifies.
 */
export function checkBant(
  answers: Readonly<Record<string, string>>,
  today: string,
): Result<{ answers: BantAnswers; passed: boolean; failures: BantField[] }> {
  const problems: Partial<Record<BantField, FieldProblem>> = {};
  const text = (field: BantField, required: boolean): string | null => {
    const value = answers[field]?.trim() ?? "";
    if (value.length > MAX_FIELD) problems[field] = "too-long";
    else if (!value && required) problems[field] = "required";
    return value || null;
  };
  const budgetText = text("budget", true);
  const budgetAmount = budgetText === null ? null : parseAmount(budgetText);
  if (budgetText !== null && budgetAmount === null) problems.budget = "invalid-amount";
  const currency = (text("currency", false) ?? "CNY").toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problems.currency = "invalid-currency";
  const yesNo = (field: BantField): boolean => {
    const value = text(field, true);
    const parsed = value === null ? null : parseYesNo(value);
    if (value !== null && parsed === null) problems[field] = "invalid-yes-no";
    return parsed ?? false;
  };
  const budgetConfirmed = yesNo("confirmed");
  const decisionMaker = text("dm", true);
  const decisionRole = text("role", false);
  const authorityEngaged = yesNo("engaged");
  const need = text("need", true);
  const useCase = text("usecase", false);
  const dateText = text("date", true);
  const targetDate = dateText === null ? null : parseDay(dateText);
  if (dateText !== null && targetDate === null) problems.date = "invalid-date";
  else if (targetDate !== null && targetDate < today) problems.date = "date-in-past";

  if (Object.keys(problems).length > 0) return err("invalid-form", { fields: problems });
  const checked: BantAnswers = {
    budgetAmount: budgetAmount!,
    budgetCurrency: currency,
    budgetConfirmed,
    decisionMaker: decisionMaker!,
    decisionRole,
    authorityEngaged,
    need: need!,
    useCase,
    targetDate: targetDate!,
  };
  // A lead qualifies when the budget is confirmed and the decision maker is engaged; the other answers
  // are required to submit at all.
  const failures: BantField[] = [];
  if (!budgetConfirmed) failures.push("confirmed");
  if (!authorityEngaged) failures.push("engaged");
  return ok({ answers: checked, passed: failures.length === 0, failures });
}
