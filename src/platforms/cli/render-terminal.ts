import type { Button, Form, FormField, Locale, Reply } from "../../commands/reply.js";
import { spokenCommand } from "../../commands/vocabulary.js";

// The reply model for a terminal: plain lines, no chat markup, and every button or form written as the
// `funnelbot …` line that does the same thing.

/** Who reads it: their language, and the handle that `--as` needs in the commands shown. */
export interface TerminalReader {
  readonly locale: Locale;
  readonly handle?: string;
}

/** Chat markup (`code`) as plain text. */
function plain(text: string): string {
  return text.replace(/`([^`\n]*)`/g, "$1");
}

function commandLine(command: string, reader: TerminalReader): string {
  return `funnelbot ${spokenCommand(command, reader.locale)}${reader.handle ? ` --as ${reader.handle}` : ""}`;
}

function buttonLine(button: Button, reader: TerminalReader): string {
  const reason = button.form?.fields.some((f) => f.kind === "select") ? (reader.locale === "zh-CN" ? " <原因>" : " <reason>") : "";
  return `  ${button.label.padEnd(24)} ${commandLine(button.command + reason, reader)}`;
}

function fieldPiece(field: FormField): string {
  const value = field.value?.trim() ? (/\s/.test(field.value) ? `"${field.value.trim()}"` : field.value.trim())
    : field.kind === "boolean" ? "yes|no" : field.kind === "date" ? "YYYY-MM-DD" : field.kind === "checkboxes" ? "all" : "…";
  if (field.as === "positional") return field.value?.trim() ? value : `<${field.label}>`;
  if (field.as === "flag") return `--${field.name} ${value}`;
  return `${field.name}=${value}`;
}

function formLines(form: Form, reader: TerminalReader): string[] {
  const errors = form.fields.filter((f) => f.error).map((f) => `  ⚠️ ${f.label}: ${f.error}`);
  const shown = form.fields.filter((f) => f.required || f.kind === "checkboxes");
  const choices = form.fields.flatMap((f) => (f.kind === "select" || f.kind === "checkboxes" ? (f.options ?? []).map((o) => `    ${o.value} — ${o.label}`) : []));
  return [
    `${form.title}:`,
    ...errors,
    `  ${commandLine(`${form.command} ${(shown.length ? shown : form.fields.slice(0, 1)).map(fieldPiece).join(" ")}`, reader)}`,
    ...choices,
  ];
}

/** A reply as lines for a terminal. */
export function renderForTerminal(reply: Reply, reader: TerminalReader): string {
  if (reply.blocks.length === 0) return plain(reply.text);
  const lines: string[] = [];
  for (const block of reply.blocks) {
    switch (block.kind) {
      case "heading":
      case "text":
        lines.push(plain(block.text));
        break;
      case "fields": {
        const width = Math.max(0, ...block.fields.map((f) => [...f.label].length)) + 1;
        for (const f of block.fields) lines.push(`${`${f.label}:`.padEnd(width)} ${plain(f.value)}`);
        break;
      }
      case "list":
        for (const item of block.items) lines.push(`  ${plain(item)}`);
        if (block.more) lines.push(reader.locale === "zh-CN" ? `  …还有 ${block.more} 条` : `  … and ${block.more} more`);
        break;
      case "buttons":
        lines.push(reader.locale === "zh-CN" ? "可执行:" : "Next:", ...block.buttons.map((b) => buttonLine(b, reader)));
        break;
      case "form":
        lines.push(...formLines(block.form, reader));
        break;
      case "divider":
        lines.push("");
        break;
      case "rows":
        for (const row of block.rows) lines.push(`  ${plain(row.text)}`, ...row.actions.map((a) => `      ${buttonLine(a, reader)}`));
        if (block.more) lines.push(reader.locale === "zh-CN" ? `  …还有 ${block.more} 条` : `  … and ${block.more} more`);
        break;
      case "image":
        lines.push(reader.locale === "zh-CN" ? `[图片:${block.alt};用 funnelbot chart --out 文件.png 保存]` : `[image: ${block.alt}; save it with funnelbot chart --out file.png]`);
        break;
    }
  }
  return lines.join("\n");
}
