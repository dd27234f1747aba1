import type { Block, Button, Form, FormField, Locale, Reply } from "../../commands/reply.js";
import { BANT_WORDS, spokenCommand } from "../../commands/vocabulary.js";
import type { BantField } from "../../domain/bant.js";
import { WECOM } from "../limits.js";
import type { TemplateCard } from "./client.js";

// WeCom renderers: pure functions from the platform-neutral reply model to WeCom payloads. WeCom has no
// modals, so forms become a line of the command language to copy, fill in and send back, and buttons
// outside a template card become the command to type. Sizes are UTF-8 bytes, as WeCom counts them.

/** The key of the one inert button a finished card keeps (WeCom needs a button list); clicks on it do nothing. */
export const NOOP_KEY = "fb:noop";

const ELLIPSIS = "…";

function zh(locale: Locale): boolean {
  return locale === "zh-CN";
}

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Cuts text to at most `max` characters (code points), ending with … when cut. */
function clipChars(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join("") + ELLIPSIS;
}

/** Cuts text to at most `max` UTF-8 bytes, ending with … when cut; never splits a character. */
export function clipBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  let out = "";
  for (const char of text) {
    if (bytes(out) + bytes(char) + bytes(ELLIPSIS) > max) break;
    out += char;
  }
  return out + ELLIPSIS;
}

function moreText(locale: Locale, n: number): string {
  return zh(locale) ? `…还有 ${n} 条` : `…and ${n} more`;
}


function quote(value: string): string {
  return /^[^\s"“”'=]+$/.test(value) ? value : `"${value.replace(/["“”]/g, "'")}"`;
}

function placeholder(field: FormField, locale: Locale): string {
  switch (field.kind) {
    case "boolean":
      return zh(locale) ? "是/否" : "yes/no";
    case "date":
      return "YYYY-MM-DD";
    case "select":
      return (field.options ?? []).map((o) => o.value).join("/") || ELLIPSIS;
    case "checkboxes":
      return (field.options ?? []).map((o) => o.value).join(",") || ELLIPSIS;
    default:
      return ELLIPSIS;
  }
}

function fieldPiece(field: FormField, locale: Locale): string {
  // A chosen option reads as its label (是 rather than yes), which the parser takes back as well.
  const chosen = field.kind === "boolean" ? field.options?.find((o) => o.value === field.value?.trim())?.label : undefined;
  const value = field.value?.trim() ? quote(chosen ?? field.value.trim()) : placeholder(field, locale);
  if (field.as === "positional") return field.value?.trim() ? value : `<${field.label}>`;
  if (field.as === "flag") return `--${field.name} ${value}`;
  return `${zh(locale) ? (Object.hasOwn(BANT_WORDS, field.name) ? BANT_WORDS[field.name as BantField].zh : field.name) : field.name}=${value}`;
}

/**
 * A form as text: its title, the refused fields one per line, and the command to send back. A choice
 * from a list (a reason) is a numbered list answered by number or words; anything else is a line of
 * `key=value` pairs to copy and fill in, required fields first, optional ones on a line of their own.
 */
export function formLines(form: Form, locale: Locale): string[] {
  const command = spokenCommand(form.command, locale);
  const errors = form.fields.filter((f) => f.error).map((f) => `⚠️ ${f.label}: ${f.error}`);
  const choice = form.fields.find((f) => f.kind === "select" && (f.options?.length ?? 0) > 0);
  if (choice) {
    const options = (choice.options ?? []).map((o, i) => `${i + 1}. ${o.label}${o.label === o.value ? "" : ` (${o.value})`}`);
    const reply = zh(locale) ? `回复:${command} <编号或原因> [补充说明]` : `Reply: ${command} <number or reason> [note]`;
    return [form.title, ...errors, ...options, reply];
  }
  const required = form.fields.filter((f) => f.required);
  const main = required.length > 0 ? required : form.fields.slice(0, 1);
  const optional = form.fields.filter((f) => !main.includes(f));
  const boxes = form.fields.filter((f) => f.kind === "checkboxes").flatMap((f) => (f.options ?? []).map((o) => `  ${o.value} — ${o.label}`));
  return [
    form.title,
    ...errors,
    zh(locale) ? "复制下面一行,填好后发送:" : "Copy this line, fill it in and send it:",
    [command, ...main.map((f) => fieldPiece(f, locale))].join(" "),
    ...(optional.length ? [`${zh(locale) ? "可选" : "Optional"}: ${optional.map((f) => fieldPiece(f, locale)).join(" ")}`] : []),
    ...boxes,
  ];
}

function buttonLine(button: Button, locale: Locale, markdown: boolean): string {
  const needsReason = button.form?.fields.some((f) => f.kind === "select") ?? false;
  // A form of positional fields (a next step's date and note) is typed after the command, each named.
  const typed = button.form && !needsReason ? button.form.fields.filter((f) => f.as === "positional").map((f) => ` <${f.label}>`).join("") : "";
  const command = `${spokenCommand(button.command, locale)}${needsReason ? (zh(locale) ? " <原因>" : " <reason>") : typed}`;
  const safe = markdown ? escapeMarkdown : escapeText;
  const shown = markdown ? `\`${safe(command)}\`` : safe(command);
  return zh(locale) ? `→ ${safe(button.label)}:${shown}` : `→ ${safe(button.label)}: ${shown}`;
}

/** A reply as lines: what it says (`content`, cut first) and what to do next (`actions`, kept first). */
function replyLines(reply: Reply, locale: Locale, markdown: boolean): { content: string[]; actions: string[] } {
  const content: string[] = [];
  const actions: string[] = [];
  const safe = markdown ? escapeMarkdown : escapeText;
  const source: readonly Block[] = reply.blocks.length ? reply.blocks : [{ kind: "text", text: reply.text }];
  let hinted = false;
  for (const block of source) {
    switch (block.kind) {
      case "heading":
        if (block.text.trim()) content.push(markdown ? `**${safe(block.text.trim())}**` : safe(block.text.trim()));
        break;
      case "text":
        content.push(...block.text.split("\n").map(safe));
        break;
      case "fields":
        content.push(...block.fields.map((f) => safe(`${f.label}: ${f.value || "—"}`)));
        break;
      case "list":
        content.push(...block.items.map(safe));
        if ((block.more ?? 0) > 0) content.push(moreText(locale, block.more!));
        break;
      case "buttons": {
        const usable = block.buttons.filter((b) => b.command.trim());
        if (usable.length === 0) break;
        if (!hinted) actions.push(zh(locale) ? "发送命令即可操作:" : "Send a command to act:");
        hinted = true;
        actions.push(...usable.map((b) => buttonLine(b, locale, markdown)));
        break;
      }
      case "form":
        actions.push(...formLines(block.form, locale).map(safe));
        break;
      case "divider":
        content.push("—");
        break;
      case "rows":
        // Commands are typed on WeCom: the rows read as a list, the digest's footer names the commands.
        content.push(...block.rows.map((r) => safe(r.text)));
        if ((block.more ?? 0) > 0) content.push(moreText(locale, block.more!));
        break;
      case "image":
        // Sent as an image message of its own by delivery; the text names it.
        break;
    }
  }
  return { content, actions };
}

/**
 * Lines joined into at most `maxBytes`: everything when it fits; otherwise the actions first (up to half
 * the room), then as much content as fits in order, and a last content line saying how many were left out.
 */
function pack(content: readonly string[], actions: readonly string[], maxBytes: number, locale: Locale): string {
  const size = (lines: readonly string[]) => bytes(lines.join("\n"));
  if (size([...content, ...actions]) <= maxBytes) return [...content, ...actions].join("\n");
  const acts: string[] = [];
  for (const action of actions) {
    if (size([...acts, action]) > maxBytes / 2) break;
    acts.push(action);
  }
  const kept: string[] = [];
  for (const [i, line] of content.entries()) {
    const left = content.length - i - 1;
    if (size([...kept, line, ...(left ? [moreText(locale, left)] : []), ...acts]) > maxBytes) break;
    kept.push(line);
  }
  if (kept.length === 0 && content.length > 0) {
    // Even the first line is too long: it is cut to the room left.
    const tail = [...(content.length > 1 ? [moreText(locale, content.length - 1)] : []), ...acts];
    kept.push(clipBytes(content[0]!, Math.max(0, maxBytes - size(tail) - (tail.length ? 1 : 0))));
  }
  const hidden = content.length - kept.length;
  return clipBytes([...kept, ...(hidden > 0 ? [moreText(locale, hidden)] : []), ...acts].join("\n"), maxBytes);
}

/**
 * Makes inert what WeCom markdown would take as markup in people's text: tags (`<@userid>`, `<font>`) and
 * links (`[点此验证](https://…)`). WeCom markdown has no escape character, so the brackets become their
 * full-width look-alikes; bold, code and quotes can only restyle a line and are left alone.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/</g, "＜").replace(/>/g, "＞").replace(/\[/g, "［").replace(/\]/g, "］");
}

/**
 * Makes inert the one markup a WeCom text message renders: an `<a href>` link (发送应用消息, text: "支持换行、
 * 以及A标签"). Its `<` becomes the full-width look-alike; other angle brackets (`<number or reason>`) stay.
 */
export function escapeText(text: string): string {
  return text.replace(/<(?=\/?a[\s>/])/gi, "＜");
}

/** A reply as a text message of at most `maxBytes` (app text: WECOM.appText), cut with "…还有 N 条". */
export function replyText(reply: Reply, locale: Locale, maxBytes: number = WECOM.appText): string {
  const { content, actions } = replyLines(reply, locale, false);
  return pack(content, actions, maxBytes, locale);
}

/** A reply as markdown of at most `maxBytes` (group robot: WECOM.robotMarkdown; app chat: WECOM.appMarkdown). */
export function replyMarkdown(reply: Reply, locale: Locale, maxBytes: number = WECOM.robotMarkdown): string {
  const { content, actions } = replyLines(reply, locale, true);
  return pack(content, actions, maxBytes, locale);
}

/** The buttons a template card can carry: a command each, unique, short enough for a key, at most six. */
export function cardButtons(reply: Reply): Button[] {
  const seen = new Set<string>();
  const buttons: Button[] = [];
  for (const block of reply.blocks) {
    if (block.kind !== "buttons") continue;
    for (const button of block.buttons) {
      const key = button.command.trim();
      if (!key || key === NOOP_KEY || bytes(key) > WECOM.cardButtonKey || seen.has(key)) continue;
      seen.add(key);
      buttons.push(button);
    }
  }
  return buttons.slice(0, WECOM.cardButtons);
}

/** A task_id for a card of an account: unique per app, only `[0-9A-Za-z_-@]`, at most 128 bytes. */
export function taskIdFor(accountId: number, nonce: string): string {
  const id = `fb-${accountId}-${nonce.replace(/[^0-9A-Za-z]/g, "")}`;
  return id.slice(0, WECOM.taskId);
}

/** The account a task_id of ours belongs to, or null for any other id. */
export function accountOfTask(taskId: string): number | null {
  const match = /^fb-(\d{1,15})-[0-9A-Za-z]+$/.exec(taskId);
  return match ? Number(match[1]) : null;
}

// Button styles 1–4 of the card reference; 1 is the default (blue), 4 the plain grey one.
const STYLES: Readonly<Record<"primary" | "danger" | "default", number>> = { primary: 1, danger: 3, default: 2 };

function cardText(reply: Reply): { title: string; sub: string } {
  const lines: string[] = [];
  for (const block of reply.blocks.length ? reply.blocks : [{ kind: "text" as const, text: reply.text }]) {
    if (block.kind === "heading" || block.kind === "text") lines.push(...block.text.split("\n").filter((l) => l.trim()));
    if (block.kind === "list") lines.push(...block.items);
  }
  const first = lines[0] ?? reply.text;
  const title = clipChars(first, WECOM.cardTitle);
  // A title that had to be cut is repeated whole below it.
  const sub = (title === first ? lines.slice(1) : lines).join("\n");
  return { title, sub: clipChars(sub, WECOM.cardSubTitle) };
}

/** A reply with buttons as a `button_interaction` template card: each button's key is its command. */
export function buttonCard(reply: Reply, taskId: string): TemplateCard {
  const { title, sub } = cardText(reply);
  const fields = reply.blocks.flatMap((b) => (b.kind === "fields" ? b.fields : []));
  return {
    card_type: "button_interaction",
    source: { desc: "funnelbot" },
    main_title: { title },
    ...(sub ? { sub_title_text: sub } : {}),
    ...(fields.length
      ? { horizontal_content_list: fields.slice(0, WECOM.cardItems).map((f) => ({ keyname: clipChars(f.label, WECOM.cardKeyName), value: clipChars(f.value || "—", WECOM.cardValue) })) }
      : {}),
    task_id: taskId,
    button_list: cardButtons(reply).map((b) => ({ text: clipChars(b.label.trim() || b.command, WECOM.cardButtonText), style: STYLES[b.style ?? "default"], key: b.command.trim() })),
  };
}

/**
 * What a card becomes once its account moved on: the outcome, and no button left to press. A
 * button_interaction card must list a button, so it keeps one inert one, and `replace_text` shows every
 * button as grey, unclickable text (update_template_card, 更新为新的卡片).
 */
export function outcomeCard(reply: Reply, locale: Locale, taskId: string): TemplateCard {
  const { title, sub } = cardText(reply);
  const done = zh(locale) ? "已处理" : "Done";
  return {
    card_type: "button_interaction",
    source: { desc: "funnelbot" },
    main_title: { title },
    ...(sub ? { sub_title_text: sub } : {}),
    task_id: taskId,
    button_list: [{ text: done, style: 4, key: NOOP_KEY }],
    replace_text: done,
  };
}
