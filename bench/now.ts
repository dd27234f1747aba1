/** The instant every benchmark run calls "now": a Wednesday, 09:30 in Asia/Shanghai, a business day of the built-in 2026 calendar. */
export const BENCH_NOW = new Date("2026-11-25T01:30:00.000Z");
