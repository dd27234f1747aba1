import type { AccountState, Role } from "../domain/account.js";
import { localTime } from "../domain/calendar.js";
import type { Notice } from "../domain/funnel.js";
import { stageOf, teamKind, transitionsFrom, type Label, type Playbook, type Verb } from "../domain/playbook.js";
import { joinList, pick, t } from "./i18n.js";
import { commandOfMove, shownCommand } from "./vocabulary.js";
import type { Button, CardOutcome, Form, Locale, Reply } from "./reply.js";

/** The facts a notice about an account needs. */
export interface NoticeFacts {
  readonly playbook: Playbook;
  readonly account: AccountState;
  readonly actorName: string;
  readonly reason: { readonly code: string; readonly text: string | null } | null;
  /** Who owns the account now: channel copies name them rather than saying "you". */
  readonly ownerName?: string | null;
  /** The copy goes to the owner themself, who is "you" in it. */
  readonly toOwner?: boolean;
}

/** A stage's name in a locale; never the raw code unless the playbook lacks the stage. */
export function stageName(playbook: Playbook, code: string, locale: Locale): string {
  const stage = stageOf(playbook, code);
  if (!stage) return code;
  const name = pick(stage.name, locale);
  // Level codes (P0–P5) are how customer success speaks of its stages, so they stay beside the name.
  return /^P\d+$/.test(stage.code) && !name.startsWith(stage.code) ? `${stage.code} ${name}` : name;
}

/** A member's role as people say it: a rep by their team's kind (sales rep, CSM / 销售, 客户成功), else manager or admin. */
export function roleName(playbook: Playbook, teamKey: string, role: Role, locale: Locale): string {
  return role === "rep" ? t(locale, `role.rep.${teamKind(playbook, teamKey)}`) : t(locale, `role.${role}`);
}

/** A reason key and its free text as people read them. */
export function reasonLabel(playbook: Playbook, code: string | null, text: string | null, locale: Locale): string {
  const label = code ? Object.values(playbook.reasons).flat().find((r) => r.key === code)?.label : undefined;
  return [label ? pick(label, locale) : code, text].filter(Boolean).join(" — ");
}

const VERB_LABELS: Partial<Record<Verb, Label>> = {
  handoff: { en: "Hand off to sales", zh: "移交销售" },
  accept: { en: "Accept", zh: "接受" },
  return: { en: "Return to marketing", zh: "退回市场" },
  disqualify: { en: "Unqualified", zh: "不合格" },
  qualify: { en: "Qualify (BANT)", zh: "资格审查" },
  validate: { en: "Start product validation", zh: "开始产品验证" },
  "validate-pass": { en: "Validation passed", zh: "验证通过" },
  "validate-fail": { en: "Validation failed", zh: "验证未通过" },
  sign: { en: "Signed", zh: "已签约" },
  advance: { en: "Advance to next stage", zh: "推进到下一阶段" },
  lose: { en: "Lost", zh: "丢单" },
  churn: { en: "Churned", zh: "流失" },
};

/** The moves a card offers as buttons: each stage's way on, and its ways out that a person decides (a reason form where asked). */
const BUTTON_MOVES: ReadonlySet<Verb> = new Set(["handoff", "accept", "return", "disqualify", "qualify", "validate", "validate-pass", "validate-fail", "sign", "advance", "lose", "churn"]);
const PRIMARY_MOVES: ReadonlySet<Verb> = new Set(["accept", "advance", "handoff", "qualify", "sign", "validate-pass"]);

/** A form asking for a reason from a playbook list, plus free text; submitting runs `command reason note`. */
export function reasonForm(playbook: Playbook, listKey: string, command: string, title: string, locale: Locale): Form {
  return {
    id: `reason:${command}`,
    title,
    command,
    submitLabel: locale === "zh-CN" ? "提交" : "Submit",
    fields: [
      {
        name: "reason", as: "positional", label: locale === "zh-CN" ? "原因" : "Reason", kind: "select", required: true,
        options: (playbook.reasons[listKey] ?? []).map((r) => ({ value: r.key, label: pick(r.label, locale) })),
      },
      { name: "note", as: "positional", label: locale === "zh-CN" ? "补充说明" : "Note", kind: "text", required: false },
    ],
  };
}

/** A reason dialog's title, asked before the move: "Return Acme to marketing — why?". */
export function reasonTitle(move: Verb, company: string, locale: Locale): string {
  const key = move === "return" || move === "disqualify" || move === "lose" || move === "churn" ? move : "other";
  return t(locale, `reason.title.${key}`, { company });
}

/** Buttons for the moves out of the account's stage that a card offers (accept / return / unqualified …). */
export function moveButtons(playbook: Playbook, account: Pick<AccountState, "id" | "stage" | "company">, locale: Locale): Button[] {
  const buttons: Button[] = [];
  for (const transition of transitionsFrom(playbook, account.stage)) {
    const label = VERB_LABELS[transition.verb];
    if (!label || !BUTTON_MOVES.has(transition.verb)) continue;
    const command = commandOfMove(transition.verb, account.id);
    if (buttons.some((b) => b.command === command)) continue;
    const form = transition.reasons ? reasonForm(playbook, transition.reasons, command, reasonTitle(transition.verb, account.company, locale), locale) : undefined;
    buttons.push({ label: pick(label, locale), command, style: PRIMARY_MOVES.has(transition.verb) ? "primary" : transition.reasons ? "danger" : undefined, ...(form ? { form } : {}) });
  }
  return buttons.slice(0, 5);
}

/** A message telling people what happened to an account, in one locale. */
export function renderNotice(notice: Notice, facts: NoticeFacts, locale: Locale): Reply {
  const { playbook, account } = facts;
  const stage = stageOf(playbook, account.stage);
  const sla = stage?.sla ? t(locale, stage.sla.unit === "business" ? "sla.business" : "sla.calendar", { days: stage.sla.days }) : "—";
  const params = {
    company: account.company, id: account.id, actor: facts.actorName, stage: stageName(playbook, account.stage, locale), sla,
    owner: facts.ownerName ?? t(locale, "show.nobody"),
    reason: facts.reason ? reasonLabel(playbook, facts.reason.code, facts.reason.text, locale) : "—",
  };
  const text = notice === "mql-assigned" && facts.toOwner ? t(locale, "notice.mql-assigned.you", params) : t(locale, `notice.${notice}`, params);
  const fields = [
    { label: t(locale, "show.stage"), value: params.stage },
    ...(account.domain ? [{ label: t(locale, "show.domain"), value: account.domain }] : []),
    ...(account.source ? [{ label: t(locale, "show.source"), value: account.source }] : []),
    ...(account.amount ? [{ label: t(locale, "show.amount"), value: `${account.amount.toLocaleString("en-US")} ${account.currency}` }] : []),
  ];
  const buttons = notice === "mql-assigned" || notice === "won-back" || notice === "reassigned" || notice === "nudged" ? moveButtons(playbook, account, locale) : [];
  return {
    text,
    ephemeral: false,
    blocks: [{ kind: "text", text }, { kind: "fields", fields }, ...(buttons.length ? [{ kind: "buttons" as const, buttons }] : [])],
  };
}

/** A card after its account moved on: what happened, who did it and when, and no buttons. */
export function renderOutcome(playbook: Playbook, outcome: CardOutcome, timezone: string, locale: Locale): Reply {
  const params = {
    // One timezone per surface, named: the card's text says which, whatever the reader's device shows beside it.
    company: outcome.company, id: outcome.accountId, actor: outcome.actorName, at: `${localTime(new Date(outcome.at), timezone)} (${timezone})`,
    from: stageName(playbook, outcome.fromStage, locale), to: stageName(playbook, outcome.toStage, locale),
    reason: outcome.reason ? ` (${reasonLabel(playbook, outcome.reason.code, outcome.reason.text, locale)})` : "",
  };
  const text = t(locale, "card.outcome", params);
  return { text, ephemeral: false, blocks: [{ kind: "text", text }] };
}

/** Names of the allowed moves, for refusals. */
export function allowedMoves(playbook: Playbook, allowed: readonly { verb: string; to: string }[], locale: Locale): string {
  return joinList(locale, allowed.map((a) => `\`${shownCommand(commandOfMove(a.verb as Verb), locale)}\` → ${stageName(playbook, a.to, locale)}`));
}
