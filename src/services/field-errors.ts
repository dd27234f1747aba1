import type { z } from "zod";

/** Zod issues as `{ "field.path": "message" }`, the first per field: what a webhook sender or a CSV row must fix. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join(".") || "body";
    fields[path] ??= issue.message;
  }
  return fields;
}
