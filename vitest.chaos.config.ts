import { defineConfig } from "vitest/config";

// `npm run test:chaos`: the whole chaos suite at full scale (FUNNELBOT_CHAOS=full), its summary table printed
// at the end. `npm test` runs the same *.test.ts scenarios at a small scale; *.chaos.ts ones run only here.
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts", "test/chaos/**/*.chaos.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // The summary is a reporter: it sees how every test ended, not only what the passing ones recorded.
    reporters: ["default", "./test/chaos/summary.ts"],
    env: { TZ: "UTC", FUNNELBOT_CHAOS: "full" },
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
