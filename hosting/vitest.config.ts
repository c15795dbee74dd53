import { defineConfig } from "vitest/config";

// Unit tests for the pure modules (converters, parsers, formatters), in Node: no browser,
// no emulator. Pages are tested end to end in Chromium (tests/e2e).
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
