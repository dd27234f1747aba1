import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The family name inside the bundled font; charts ask for it by name. */
export const CHART_FONT_FAMILY = "Noto Sans Hans";

/**
 * The bundled CJK font (Noto Sans Hans, OFL, from the `@embedpdf/fonts-sc` package): an OTF that resvg loads,
 * so Chinese labels draw on a server with no system fonts. Its package exports only metadata, so the file
 * is found next to the package's entry point.
 */
export function chartFontFile(): string {
  return path.join(path.dirname(require.resolve("@embedpdf/fonts-sc")), "..", "fonts", "NotoSansHans-Regular.otf");
}
