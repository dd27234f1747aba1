// `npm run build`'s last step: the chart renderer's program as one bundled file (src/charts/child-bundle.ts),
// written over tsc's dist/charts/render-child.js, so the renderer's process loads one module and no loader.
import path from "node:path";
import { bundleRenderChild } from "../src/charts/child-bundle.js";

bundleRenderChild(path.resolve(import.meta.dirname, "..", "dist", "charts", "render-child.js"));
