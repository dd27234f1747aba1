import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "src/store/generated/", "data/", "coverage/", "test-artifacts/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: [{ group: ["@prisma/*", "**/store/generated/**"], message: "Only src/store/ talks to Prisma." }] }],
    },
  },
  {
    files: ["src/store/**", "prisma/**", "scripts/**", "test/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["src/domain/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "fs", "path", "@prisma/*", "../store/*", "../services/*", "../platforms/*", "../commands/*", "../jobs/*", "../config/*"], message: "domain/ is pure: it imports nothing of the project but itself, and no I/O." }] }],
      "no-restricted-syntax": ["error", { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "domain/ never reads the clock: take `now` as a parameter." }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "domain/ never reads the clock: take `now` as a parameter." }],
    },
  },
);
