import type { AccountState, StageEventRecord } from "../domain/account.js";
import { BANT_FIELDS, type BantAnswers, type BantField, type FieldProblem } from "../domain/bant.js";
import { elapsedDays, localDay, localTime, type BusinessCalendar } from "../domain/calendar.js";
import type { DomainError } from "../domain/errors.js";
import type { LeadScore } from "../domain/scoring.js";
import { isClosed, stageOf, transitionsFrom, type Label, type Playbook, type Reason, type Verb } from "../domain/playbook.js";
import { parseYesNo } from "../domain/values.js";
import { joinList, pick, sentences, t, type MessageKey } from "./i18n.js";
import { allowedMoves, moveButtons, stageName } from "./render-notice.js";
import { BANT_WORDS, commandOfMove, localUsage, shownCommand } from "./vocabulary.js";
import type { Block, Button, Form, Locale, Reply } from "./reply.js";

/** A short answer to the person who acted. */
export function say(text: string, blocks: readonly Block[] = [{ kind: "text", text }], ephemeral = true): Reply {
  return { text, blocks, ephemeral };
}

const BANT_LABEL: Record<string, MessageKey> = {
  budget: "bant.budget", currency: "bant.currency", confirmed: "bant.confirmed", dm: "bant.dm", role: "bant.role",
  engaged: "bant.engaged", need: "bant.need", usecase: "bant.usecase", date: "bant.date",
};

function reasonsText(reasons: unknown, locale: Locale): string {
  return joinList(locale, ((reasons as Reason[] | undefined) ?? []).map((r, i) => `${i + 1}. ${r.key} (${pick(r.label, locale)})`));
}

function when(at: unknown, locale: Locale): string {
  const date = at instanceof Date ? at : typeof at === "string" ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime())) return "—";
  const timeZone = process.env.TZ || "Asia/Shanghai";
  return `${date.toLocaleString(locale === "zh-CN" ? "zh-CN" : "en-GB", { timeZone, dateStyle: "medium", timeStyle: "short" })} (${timeZone})`;
}

/** A refusal as one short sentence in the person's language; never a stack trace. */
export function renderError(error: DomainError, locale: Locale, playbook: Playbook, company = ""): Reply {
  const d = error.details as Record<string, unknown>;
  const stage = (code: unknown) => stageName(playbook, String(code ?? ""), locale);
  let text: string;
  switch (error.code) {
    case "usage":
      text = d.unknown !== undefined
        ? t(locale, "error.unknown-verb", { unknown: String(d.unknown), help: shownCommand("lead help", locale), suggest: (d.suggestions as string[] | undefined)?.length ? t(locale, "error.suggest", { list: joinList(locale, (d.suggestions as string[]).map((s) => `\`${suggestion(s, locale)}\``)) }) : "" })
        : t(locale, "error.usage", { usage: localUsage(String(d.usage ?? "/lead help"), locale) });
      break;
    case "illegal-transition": {
      const allowed = (d.allowed as { verb: string; to: string }[] | undefined) ?? [];
      if (d.needs) text = t(locale, "error.needs-verb", { company, to: stage(d.to), command: shownCommand(commandOfMove(d.needs as Verb), locale) });
      else if (allowed.length === 0) text = t(locale, "error.illegal-transition.none", { company, stage: stage(d.from) });
      else text = t(locale, "error.illegal-transition", { company, stage: stage(d.from), allowed: allowedMoves(playbook, allowed, locale) });
      break;
    }
    case "forbidden":
      text = d.needs === "manager" || d.needs === "admin" || d.needs === "own-team" ? t(locale, `error.forbidden.${d.needs}`) : t(locale, "error.forbidden", { team: teamName(playbook, d.team, locale), stage: stage(d.stage), teams: joinList(locale, ((d.teams as string[]) ?? []).map((k) => teamName(playbook, k, locale))) });
      break;
    case "checklist-incomplete":
      text = t(locale, "error.checklist-incomplete", { stage: stage(d.stage), missing: joinList(locale, ((d.missing as { key: string; label: Label }[]) ?? []).map((m) => `${m.key} (${pick(m.label, locale)})`)) });
      break;
    case "override-not-manager":
      text = t(locale, "error.override-not-manager", { stage: stage(d.stage) });
      break;
    case "reason-required":
      text = t(locale, "error.reason-required", { reasons: reasonsText(d.reasons, locale) });
      break;
    case "unknown-reason":
      text = t(locale, "error.unknown-reason", { typed: String(d.typed), reasons: reasonsText(d.reasons, locale) });
      break;
    case "already-done":
      text = t(locale, "error.already-done", { by: String(d.by ?? "?"), stage: stage(d.stage), at: when(d.at, locale) });
      break;
    case "invalid-form": {
      const fields = Object.entries((d.fields as Record<string, FieldProblem>) ?? {}).map(([field, problem]) => `${BANT_LABEL[field] ? t(locale, BANT_LABEL[field]) : field}: ${t(locale, `field.${problem}`)}`);
      text = t(locale, "error.invalid-form", { fields: joinList(locale, fields) });
      break;
    }
    case "account-ambiguous":
      text = t(locale, "error.account-ambiguous", { ref: String(d.ref), list: joinList(locale, (d.candidates as string[]) ?? []) });
      break;
    case "not-a-customer":
      text = t(locale, "error.not-a-customer", { stage: stage(d.stage), stages: joinList(locale, ((d.stages as string[]) ?? []).map(stage)) });
      break;
    case "unknown-stage":
      text = t(locale, "error.unknown-stage", { stage: String(d.stage), stages: joinList(locale, playbook.stages.map((s) => `${s.code} (${pick(s.name, locale)})`)) });
      break;
    case "unknown-team":
      text = t(locale, "error.unknown-team", { team: String(d.team), teams: joinList(locale, playbook.teams.map((x) => x.key)) });
      break;
    case "unknown-member":
      text = d.name ? t(locale, "error.unknown-member.named", { name: String(d.name) }) : t(locale, "error.unknown-member");
      break;
    case "invalid-text":
      text = t(locale, "error.invalid-text", { max: Number(d.max ?? 500) });
      break;
    case "invalid-window":
    case "invalid-month":
      text = t(locale, `error.${error.code}${d.future ? ".future" : ""}`, { text: String(d.text ?? "") });
      break;
    case "unknown-channel":
      text = t(locale, "error.unknown-channel", { channel: String(d.channel), channels: joinList(locale, (d.channels as string[] | undefined) ?? []) || "—" });
      break;
    case "access-decided":
      text = t(locale, d.status === "granted" ? "error.access-decided.granted" : "error.access-decided.ignored", { id: Number(d.id), by: String(d.by ?? "?") });
      break;
    case "cooldown":
      text = t(locale, "error.cooldown", { company: String(d.company ?? company), until: when(d.until, locale) });
      break;
    default:
      text = t(locale, `error.${error.code}`, Object.fromEntries(Object.entries(d).map(([k, v]) => [k, String(v)])));
  }
  return { ...say(`⚠️ ${text}`), errorCode: error.code };
}

/** A typo hint in the person's language: a command (`线索 接受`) or a BANT key (`预算=`). */
function suggestion(text: string, locale: Locale): string {
  if (!text.endsWith("=")) return shownCommand(text, locale);
  const key = text.slice(0, -1);
  return locale === "zh-CN" && Object.hasOwn(BANT_WORDS, key) ? `${BANT_WORDS[key as BantField].zh}=` : text;
}

function teamName(playbook: Playbook, key: unknown, locale: Locale): string {
  const team = playbook.teams.find((x) => x.key === key);
  return team ? pick(team.name, locale) : String(key);
}

/** A yes/no answer as typed in any language (是, 否, Y …) as the form's option value, so the form keeps it. */
function yesNoValue(typed: string): string {
  const parsed = parseYesNo(typed);
  return parsed === null ? typed : parsed ? "yes" : "no";
}

/** The BANT form for an account, with the previous answers and any field errors filled in. */
export function bantForm(account: { id: number; company: string }, locale: Locale, values: Record<string, string> = {}, problems: Record<string, FieldProblem> = {}): Form {
  const kinds: Record<string, "number" | "text" | "boolean" | "date"> = { budget: "number", confirmed: "boolean", engaged: "boolean", date: "date" };
  const required = new Set(["budget", "confirmed", "dm", "engaged", "need", "date"]);
  return {
    id: `bant:${account.id}`,
    title: t(locale, "bant.title", { company: account.company }),
    command: `lead qualify #${account.id}`,
    submitLabel: t(locale, "bant.submit"),
    fields: BANT_FIELDS.map((name) => ({
      name,
      label: t(locale, BANT_LABEL[name]!),
      kind: kinds[name] ?? "text",
      required: required.has(name),
      ...(kinds[name] === "boolean" ? { options: [{ value: "yes", label: t(locale, "yes") }, { value: "no", label: t(locale, "no") }] } : {}),
      ...(values[name] !== undefined ? { value: kinds[name] === "boolean" ? yesNoValue(values[name]) : values[name] } : name === "currency" ? { value: "CNY" } : {}),
      ...(problems[name] ? { error: t(locale, `field.${problems[name]}`) } : {}),
    })),
  };
}

/** The checklist form for leaving the account's stage, with the manager-override reason. */
export function checklistForm(
  playbook: Playbook, account: AccountState, verb: "lead.handoff" | "account.advance", to: string | null, locale: Locale,
): Form | null {
  const stage = stageOf(playbook, account.stage);
  if (!stage || stage.checklist.length === 0) return null;
  // The stage it moves to: the one asked for, or the only one this verb leads to from here.
  const move = verb === "lead.handoff" ? "handoff" : "advance";
  const targets = transitionsFrom(playbook, account.stage).filter((x) => x.verb === move && (!to || x.to.toLowerCase() === to.toLowerCase()));
  const target = targets.length === 1 ? stageName(playbook, targets[0]!.to, locale) : null;
  const names = { company: account.company, stage: stageName(playbook, stage.code, locale), to: target ?? "" };
  return {
    id: `checklist:${account.id}:${stage.code}`,
    title: t(locale, target ? "checklist.title" : "checklist.title.any", names),
    command: `${verb.replace(".", " ")} #${account.id}${to ? ` ${to}` : ""}`,
    submitLabel: target ? t(locale, "checklist.submit.to", names) : t(locale, "checklist.submit"),
    fields: [
      { name: "confirm", as: "flag", label: names.stage, kind: "checkboxes", required: false, options: stage.checklist.map((c) => ({ value: c.key, label: pick(c.label, locale) })) },
      { name: "override", as: "flag", label: t(locale, "checklist.override"), kind: "text", required: false },
    ],
  };
}

/**
 * A checklist refused inside its form: the form again with what was ticked, the unticked items named by
 * their labels beside the boxes and, for a member who may skip the checklist, the override beside its
 * field. A typed command is told of its flags instead ({@link renderError}).
 */
export function refusedChecklist(
  playbook: Playbook, form: Form, stageCode: string, missing: readonly { label: Label }[], ticked: readonly string[], canOverride: boolean, locale: Locale,
): Reply {
  const items = joinList(locale, missing.map((m) => `“${pick(m.label, locale)}”`));
  const boxes = t(locale, "error.checklist-incomplete.boxes", { missing: items });
  const override = canOverride ? t(locale, "error.checklist-incomplete.override") : null;
  const fields = form.fields.map((f) => (f.name === "confirm" ? { ...f, value: ticked.join(","), error: boxes } : f.name === "override" && override ? { ...f, error: override } : f));
  const text = sentences(locale, [t(locale, "error.checklist-incomplete.form", { stage: stageName(playbook, stageCode, locale), missing: items }), override]);
  return { ...say(`⚠️ ${text}`, [{ kind: "text", text: `⚠️ ${text}` }, { kind: "form", form: { ...form, fields } }]), errorCode: "checklist-incomplete" };
}

/** The form of `/account next`: the day of the next step and what it is. */
export function nextStepForm(
  account: { id: number; company: string }, locale: Locale, values: { date?: string; note?: string } = {}, problems: Record<string, FieldProblem> = {},
): Form {
  const filled = (name: "date" | "note") => ({
    ...(values[name] !== undefined ? { value: values[name] } : {}), ...(problems[name] ? { error: t(locale, `field.${problems[name]}`) } : {}),
  });
  return {
    id: `next:${account.id}`,
    title: t(locale, "next.title", { company: account.company }),
    command: `account next #${account.id}`,
    submitLabel: t(locale, "next.submit"),
    fields: [
      { name: "date", as: "positional", label: t(locale, "next.date"), kind: "date", required: true, hint: "YYYY-MM-DD", ...filled("date") },
      { name: "note", as: "positional", label: t(locale, "next.note"), kind: "text", required: true, ...filled("note") },
    ],
  };
}

/** [Next step]: opens {@link nextStepForm}. */
export function nextStepButton(account: { id: number; company: string }, locale: Locale): Button {
  return { label: t(locale, "next.button"), command: `account next #${account.id}`, form: nextStepForm(account, locale) };
}

/** A time in stage as people say it: minutes within the hour, hours within two days, then days. */
function duration(ms: number, locale: Locale): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t(locale, "duration.minutes", { n: minutes });
  if (minutes < 48 * 60) return t(locale, "duration.hours", { n: Math.floor(minutes / 60) });
  return t(locale, "show.days", { days: Math.floor(minutes / 1440) });
}

/** `lead show`: the account's facts, its buttons and its whole history with times in stage. */
export function renderAccount(
  playbook: Playbook, calendar: BusinessCalendar, account: AccountState, ownerName: string | null,
  history: readonly StageEventRecord[], now: Date, locale: Locale, score: LeadScore | null = null, bant: BantRecord | null = null,
): Reply {
  const stage = stageOf(playbook, account.stage);
  // A score is shown where it means something: the playbook scores, the lead has facts to score, and it is no customer yet.
  const scored = score && playbook.scoring && score.lines.length > 0 && !stage?.customer ? score : null;
  const origin = scored ? null : originOf(playbook, account, history, calendar, locale);
  // Days in stage count in the SLA's own unit, so "3 of 1" means three business days against one.
  const days = (from: Date, to: Date) => elapsedDays(calendar, from, to, stage?.sla?.unit ?? "calendar");
  const inStage = days(account.stageEnteredAt, now);
  const when = (at: Date) => localTime(at, calendar.timezone);
  const fields = [
    { label: t(locale, "show.stage"), value: stageName(playbook, account.stage, locale) },
    { label: t(locale, "show.owner"), value: ownerName ?? t(locale, "show.nobody") },
    { label: t(locale, "show.in-stage"), value: stage?.sla ? t(locale, "show.days-of", { days: dayCount(inStage, stage.sla.unit, locale), sla: dayCount(stage.sla.days, stage.sla.unit, locale) }) : dayCount(inStage, "calendar", locale) },
    { label: t(locale, "show.amount"), value: `${account.amount.toLocaleString("en-US")} ${account.currency}` },
    ...(account.email ? [{ label: t(locale, "show.email"), value: account.email }] : []),
    ...(account.domain ? [{ label: t(locale, "show.domain"), value: account.domain }] : []),
    ...(account.source ? [{ label: t(locale, "show.source"), value: account.source }] : []),
    ...(origin ? [{ label: t(locale, "show.origin"), value: origin }] : []),
    ...(account.nextStepAt ? [{ label: t(locale, "show.next-step"), value: `${localDay(account.nextStepAt, calendar.timezone)} ${account.nextStepNote ?? ""}` }] : []),
  ];
  const bantFields = bant ? bantLines(bant, locale) : [];
  let enteredAt: Date | null = null;
  const lines = history.map((e) => {
    const actor = e.actorName ?? t(locale, "history.system");
    const reason = e.reasonCode || e.reasonText ? `: ${[e.reasonCode, e.reasonText].filter(Boolean).join(" — ")}` : "";
    const stay = enteredAt ? duration(e.at.getTime() - enteredAt.getTime(), locale) : "—";
    if (e.kind === "transition" || e.kind === "created") enteredAt = e.at;
    // A manager's skipped checklist is part of the move: its written reason stays in the history.
    const override = (e.data?.checklist as { override?: string | null; stage?: string } | undefined)?.override;
    const skipped = override ? t(locale, "history.override", { stage: stageName(playbook, String((e.data?.checklist as { stage?: string }).stage ?? e.fromStage ?? ""), locale), reason: override }) : "";
    if (e.kind === "next-step") return t(locale, "history.next-step", { at: when(e.at), actor, day: String(e.data?.day ?? "—"), note: e.reasonText ?? "" });
    return t(locale, `history.${e.kind}`, {
      at: when(e.at), actor, reason: e.kind === "bant-failed" ? String((e.data?.failures as string[] | undefined)?.join(", ") ?? "") : reason.replace(/^: /, locale === "zh-CN" ? "" : ": "),
      from: e.fromStage ? stageName(playbook, e.fromStage, locale) : "", to: e.toStage ? stageName(playbook, e.toStage, locale) : "",
      amount: e.amount?.toLocaleString("en-US") ?? "", days: stay,
      // Escalations (reminder, released) name the rep who let the account wait and who has it now.
      level: String(e.data?.level ?? ""), rep: String(e.data?.repName ?? "—"), owner: String(e.data?.ownerName ?? t(locale, "show.nobody")),
    }) + skipped;
  });
  const title = t(locale, "show.title", { id: account.id, company: account.company });
  // Open accounts also take a next step from their view: a date and a note, as `/account next` asks.
  const buttons = [...moveButtons(playbook, account, locale), ...(isClosed(playbook, account.stage) ? [] : [nextStepButton(account, locale)])];
  const data = { ...accountData(playbook, calendar, account, ownerName, history, now, locale, scored, bant), origin };
  const scoring = scored && playbook.scoring ? scoreLines(scored, playbook.scoring.mqlThreshold, locale) : null;
  const bantTitle = bant ? t(locale, bant.passed ? "show.bant" : "show.bant-failed") : "";
  return {
    text: [
      title, ...fields.map((f) => `${f.label}: ${f.value}`),
      ...(bant ? [`${bantTitle}:`, ...bantFields.map((f) => `  ${f.label}: ${f.value}`)] : []),
      ...(scoring ? [`${scoring.title}:`, ...scoring.lines.map((l) => `  ${l}`)] : []),
      `${t(locale, "show.history-in", { tz: calendar.timezone })}:`, ...lines.map((l) => `  ${l}`),
    ].join("\n"),
    ephemeral: true,
    blocks: [
      { kind: "heading", text: title },
      { kind: "fields", fields },
      ...(buttons.length ? [{ kind: "buttons" as const, buttons }] : []),
      ...(bant ? [{ kind: "text" as const, text: `*${bantTitle}*` }, { kind: "fields" as const, fields: bantFields }] : []),
      ...(scoring ? [{ kind: "text" as const, text: `${scoring.title}:` }, { kind: "list" as const, items: scoring.lines }] : []),
      { kind: "divider" },
      { kind: "text", text: `${t(locale, "show.history-in", { tz: calendar.timezone })}:` },
      { kind: "list", items: lines },
    ],
    data,
  };
}

/** BANT answers as last given for an account, passed or not. */
export type BantRecord = BantAnswers & { readonly passed: boolean; readonly at: Date };

/** The BANT answers as labelled lines: budget (amount, currency, confirmed), decision maker (role, engaged), need and use case, target date. */
function bantLines(bant: BantRecord, locale: Locale): { label: string; value: string }[] {
  const yesNo = (value: boolean, yes: MessageKey, no: MessageKey) => t(locale, value ? yes : no);
  const money = `${bant.budgetAmount.toLocaleString("en-US")} ${bant.budgetCurrency}`;
  const dm = bant.decisionRole ? `${bant.decisionMaker} (${bant.decisionRole})` : bant.decisionMaker;
  return [
    { label: t(locale, "show.bant.budget"), value: `${money}, ${yesNo(bant.budgetConfirmed, "show.bant.confirmed", "show.bant.unconfirmed")}` },
    { label: t(locale, "show.bant.dm"), value: `${dm}, ${yesNo(bant.authorityEngaged, "show.bant.engaged", "show.bant.not-engaged")}` },
    { label: t(locale, "show.bant.need"), value: bant.useCase ? `${bant.need} — ${bant.useCase}` : bant.need },
    { label: t(locale, "show.bant.date"), value: bant.targetDate },
  ];
}

/**
 * Where an account came from, for leads without a score to explain them (its source has a line of its own): who created it and how
 * (by hand on a platform, the lead webhook, a CSV import), and who handed it to sales.
 */
function originOf(playbook: Playbook, account: AccountState, history: readonly StageEventRecord[], calendar: BusinessCalendar, locale: Locale): string | null {
  const created = history.find((e) => e.kind === "created");
  const parts: string[] = [];
  if (created) {
    // A person's account made on their behalf by the bot itself (the demo data) names no platform: "system" is no place people know.
    if (created.actorName && created.platform === "system") parts.push(t(locale, "origin.by-actor", { actor: created.actorName }));
    else if (created.actorName) parts.push(t(locale, "origin.by", { actor: created.actorName, platform: platformName(created.platform, locale) }));
    else if (created.platform === "webhook") parts.push(t(locale, "origin.webhook"));
    else if (created.platform === "cli") parts.push(t(locale, "origin.import"));
    else parts.push(t(locale, "origin.bot"));
  }
  // The hand-off: the move out of the first stage into a stage that assigns its accounts to a team (MQL).
  const handoff = history.find((e) => e.kind === "transition" && e.fromStage === playbook.initialStage && e.toStage !== null && stageOf(playbook, e.toStage)?.assignTo);
  if (handoff) {
    const day = localDay(handoff.at, calendar.timezone);
    parts.push(handoff.actorName ? t(locale, "origin.handoff", { actor: handoff.actorName, day }) : t(locale, "origin.handoff-score", { day }));
  }
  return parts.length ? parts.join(locale === "zh-CN" ? ";" : "; ") : null;
}

function platformName(platform: string, locale: Locale): string {
  const names: Record<string, string> = { slack: "Slack", wecom: locale === "zh-CN" ? "企业微信" : "WeCom", cli: locale === "zh-CN" ? "命令行" : "the CLI", playground: locale === "zh-CN" ? "体验台" : "the playground" };
  return names[platform] ?? platform;
}

/** A count of days in a unit as people say it: `7 business days`, `1 day`, `7 个工作日`. */
export function dayCount(days: number, unit: "business" | "calendar", locale: Locale): string {
  if (locale === "zh-CN") return `${days} ${unit === "business" ? "个工作日" : "天"}`;
  return `${days} ${unit === "business" ? "business " : ""}day${days === 1 ? "" : "s"}`;
}

/** `lead show --json`: the account as data for scripts, names in the reader's language beside the codes. */
export function accountData(
  playbook: Playbook, calendar: BusinessCalendar, account: AccountState, ownerName: string | null,
  history: readonly StageEventRecord[], now: Date, locale: Locale, score: LeadScore | null, bant: BantRecord | null = null,
) {
  const stage = stageOf(playbook, account.stage);
  const unit = stage?.sla?.unit ?? "calendar";
  const stageOfCode = (code: string | null) => (code ? { code, name: stageName(playbook, code, locale) } : null);
  return {
    id: account.id,
    company: account.company,
    domain: account.domain,
    email: account.email,
    source: account.source,
    stage: stageOfCode(account.stage)!,
    owner: ownerName,
    amount: account.amount,
    currency: account.currency,
    inStage: { days: elapsedDays(calendar, account.stageEnteredAt, now, unit), unit, since: account.stageEnteredAt.toISOString(), sla: stage?.sla ?? null },
    score: score && playbook.scoring ? { total: score.total, grade: score.grade, mqlThreshold: playbook.scoring.mqlThreshold, lines: score.lines } : null,
    nextStep: account.nextStepAt ? { day: localDay(account.nextStepAt, calendar.timezone), note: account.nextStepNote } : null,
    bant: bant ? {
      budget: { amount: bant.budgetAmount, currency: bant.budgetCurrency, confirmed: bant.budgetConfirmed },
      decisionMaker: { name: bant.decisionMaker, role: bant.decisionRole, engaged: bant.authorityEngaged },
      need: bant.need, useCase: bant.useCase, targetDate: bant.targetDate, passed: bant.passed, at: bant.at.toISOString(),
    } : null,
    checklists: history.flatMap((e) => (e.data?.checklist ? [e.data.checklist as { stage: string; markers: string[]; override: string | null }] : [])),
    history: history.map((e) => ({
      at: e.at.toISOString(), kind: e.kind, actor: e.actorName, from: stageOfCode(e.fromStage), to: stageOfCode(e.toStage),
      reason: e.reasonCode || e.reasonText ? { code: e.reasonCode, text: e.reasonText } : null, amount: e.amount, data: e.data,
    })),
    timezone: calendar.timezone,
  };
}

/** A score explained line by line: each demographic band and each behaviour with the points it gave. */
function scoreLines(score: LeadScore, threshold: number, locale: Locale): { title: string; lines: string[] } {
  const signed = (n: number) => (n >= 0 ? `+${n}` : String(n));
  const lines = score.lines.map((line) => line.kind === "demographic"
    ? t(locale, "score.demographic", { attribute: t(locale, `attribute.${line.attribute}`), value: line.value, band: line.band, points: signed(line.points) })
    : t(locale, "score.behaviour", { behaviour: line.behaviour, count: line.count, points: signed(line.points) }));
  return { title: t(locale, "score.title", { total: score.total, grade: t(locale, `grade.${score.grade}`), threshold }), lines: lines.length ? lines : [t(locale, "score.none")] };
}
