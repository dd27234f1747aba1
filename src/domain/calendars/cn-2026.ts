import type { BusinessCalendarInput } from "../calendar.js";

function range(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Mainland China, 2026, from the State Council General Office notice of 2025-11-04 (关于2026年部分节假日安排
 * 的通知). The schedule is published each November for the following year and differs every year: admins
 * should check this list against that notice, and supply next year's as a calendar file, before the year turns.
 */
export const cn2026: BusinessCalendarInput = {
  timezone: "Asia/Shanghai",
  holidays: [
    ...range("2026-01-01", "2026-01-03"), // 元旦
    ...range("2026-02-15", "2026-02-23"), // 春节
    ...range("2026-04-04", "2026-04-06"), // 清明节
    ...range("2026-05-01", "2026-05-05"), // 劳动节
    ...range("2026-06-19", "2026-06-21"), // 端午节
    ...range("2026-09-25", "2026-09-27"), // 中秋节
    ...range("2026-10-01", "2026-10-07"), // 国庆节
  ],
  // 调休: weekend days worked to make up for the bridged holiday days.
  workdays: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
};
