/** The largest amount we accept: a trillion in any currency is a typo, not a deal. */
export const MAX_AMOUNT = 1_000_000_000_000;

const MULTIPLIERS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, 万: 1e4, 千: 1e3, 亿: 1e8, w: 1e4 };

/** Reads `50000`, `50,000`, `5万`, `12k`, `1.5m`, `¥50000`, `$5000` as a whole positive amount, or null. */
export function parseAmount(text: string): number | null {
  const match = /^[¥$€£￥]?\s*(\d{1,15}(?:[,，]\d{3})*(?:\.\d+)?)\s*(k|m|w|万|千|亿)?\s*(元|rmb|cny|usd)?$/i.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]!.replace(/[,，]/g, "")) * MULTIPLIERS[(match[2] ?? "").toLowerCase()]!;
  const rounded = Math.round(value);
  return Number.isSafeInteger(rounded) && rounded > 0 && rounded <= MAX_AMOUNT ? rounded : null;
}

/** Reads `2026-12-01`, `2026/12/01` or `2026年12月1日` as a real calendar day `YYYY-MM-DD`, or null. */
export function parseDay(text: string): string | null {
  const match = /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$/.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${match[1]}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Reads yes / no in the ways people type them, in English and Chinese, or null. */
export function parseYesNo(text: string): boolean | null {
  const value = text.trim().toLowerCase();
  if (["yes", "y", "true", "1", "是", "有", "对", "确认", "已确认", "已参与", "✓", "on"].includes(value)) return true;
  if (["no", "n", "false", "0", "否", "无", "没有", "未确认", "未参与", "off"].includes(value)) return false;
  return null;
}
