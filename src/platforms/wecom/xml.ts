import { XMLParser, XMLValidator } from "fast-xml-parser";

// WeCom's callbacks are flat XML documents (`<xml><Field>…</Field>…</xml>`), strings in CDATA. They are read
// with fast-xml-parser with entity processing off, and any DOCTYPE, ENTITY or other `<!` declaration is
// refused before parsing, so no entity can expand (billion laughs) and no external entity is fetched.

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  // MsgId is a 64-bit number: every value stays a string, so none loses precision.
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  maxNestedTags: 8,
});

/** A `<!` that does not open a CDATA section: DOCTYPE, ENTITY, comments and the like. */
const DECLARATION = /<!(?!\[CDATA\[)/;

/**
 * The text fields directly under `<xml>`, or null when the document is not well-formed, declares
 * anything, or has another root. A field given twice is left out, so callers treat it as missing.
 */
export function readXmlFields(text: string): Record<string, string> | null {
  if (DECLARATION.test(text)) return null;
  if (XMLValidator.validate(text) !== true) return null;
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch {
    return null;
  }
  const root = (parsed as { xml?: unknown } | null)?.xml;
  if (!root || typeof root !== "object" || Array.isArray(root)) return null;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) if (typeof value === "string") fields[name] = value;
  return fields;
}
