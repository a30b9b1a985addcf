import { configDefaults, defineConfig } from "vitest/config";

// The slow tier: building and starting the Docker image's steps, rendering the Helm chart, the
// installer, the packed bin, and the browser. `npm test` runs the fast project (under 3 minutes
// on an idle 2-core machine); `npm run test:slow` runs these; `.ci/run` runs both.
const SLOW = [
  "test/deploy/**/*.test.ts",
  "test/e2e/web-playground.test.ts",
  "test/e2e/web-playground-feedback.test.ts",
  "test/faults/launcher-signals.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "fast", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...SLOW] },
      },
      { extends: true, test: { name: "slow", include: SLOW } },
    ],
  },
});
