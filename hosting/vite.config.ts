import { defineConfig } from "vite";

// The emulated `health` function, so `npm run dev` can show /status like Hosting does.
const HEALTH_EMULATOR = "http://127.0.0.1:5001";
const HEALTH_PATH = "/demo-aura/us-central1/health";
const FIRESTORE = /node_modules[\\/]@firebase[\\/](firestore|webchannel-wrapper)[\\/]/;
const FIREBASE = /node_modules[\\/](@firebase|firebase|idb|tslib)[\\/]/;

export default defineConfig({
  // Vite 8 transforms TSX with Oxc; use React's automatic runtime (react/jsx-runtime),
  // so components never need `import React` and no `@vitejs/plugin-react` is required.
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries in their own long-cached chunks, so an app change re-downloads only the app.
        codeSplitting: {
          groups: [
            { name: "firestore", test: FIRESTORE, priority: 3 },
            { name: "firebase", test: FIREBASE, priority: 2 },
            // React + react-router: every library the first page load needs ($initial).
            { name: "react", test: /node_modules[\\/]/, tags: ["$initial"], priority: 1 },
            // Libraries only lazy routes load (Chat's markdown and code highlighting), split
            // by the routes that use them so one route never downloads another's.
            { name: "lazy-libs", test: /node_modules[\\/]/, entriesAware: true, priority: 0 },
          ],
        },
      },
      onLog(level, log, handler) {
        // react-router marks its modules "use client" (for RSC); meaningless in this SPA.
        if (log.code === "MODULE_LEVEL_DIRECTIVE") return;
        handler(level, log);
      },
    },
  },
  server: {
    proxy: {
      "/api/health": { target: HEALTH_EMULATOR, changeOrigin: true, rewrite: () => HEALTH_PATH },
    },
  },
});
