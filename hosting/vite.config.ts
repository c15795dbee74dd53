import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { navigationDenylist, type HostingRewrite } from "./src/lib/offline/navigation";

// The emulated `health` function, so `npm run dev` can show /status like Hosting does.
const HEALTH_EMULATOR = "http://127.0.0.1:5001";
const HEALTH_PATH = "/demo-aura/us-central1/health";
const FIRESTORE = /node_modules[\\/]@firebase[\\/](firestore|webchannel-wrapper)[\\/]/;
const FIREBASE = /node_modules[\\/](@firebase|firebase|idb|tslib)[\\/]/;

/**
 * FullCalendar 6 ships its CSS inside its JavaScript and injects it as a `<style>` element,
 * which the site's Content-Security-Policy (`style-src 'self'`) rightly refuses. This Vite
 * plugin serves the same CSS as a module, `virtual:fullcalendar.css`, read from the
 * installed packages at build time, so it is emitted as a stylesheet file of the site and
 * always matches the installed version.
 */
const ID = "virtual:fullcalendar.css";
// Vite treats an id ending in .css as CSS; the leading \0 marks it virtual.
const RESOLVED = "\0virtual-fullcalendar.css";
const SOURCES = [
  ["@fullcalendar/core", "internal-common.js"],
  ["@fullcalendar/daygrid", "internal.js"],
  ["@fullcalendar/timegrid", "internal.js"],
] as const;
const CSS = /^var css_248z = ("(?:[^"\\]|\\.)*");$/m;

function embeddedCss(pkg: string, file: string, root: string): string {
  const require = createRequire(join(root, "package.json"));
  const path = join(dirname(require.resolve(`${pkg}/package.json`)), file);
  const match = CSS.exec(readFileSync(path, "utf8"));
  if (!match?.[1]) throw new Error(`No embedded CSS found in ${pkg}/${file}`);
  return JSON.parse(match[1]) as string;
}

function fullCalendarCss(): Plugin {
  let root = process.cwd();
  return {
    name: "aura:fullcalendar-css",
    configResolved(config) {
      root = config.root;
    },
    resolveId(id) {
      return id === ID ? RESOLVED : undefined;
    },
    load(id) {
      if (id !== RESOLVED) return undefined;
      return SOURCES.map(([pkg, file]) => embeddedCss(pkg, file, root)).join("\n");
    },
  };
}

/**
 * codemirror-json-schema renders descriptions through markdown-it with shiki (about a
 * megabyte of the workflow editor's chunk); Aura's descriptions are plain text. Its
 * `utils/markdown` module is replaced by an escaping stand-in with the same export.
 */
const PLAIN_MARKDOWN = fileURLToPath(
  new URL("./src/features/automations/forms/plainMarkdown.ts", import.meta.url),
);

function plainSchemaMarkdown(): Plugin {
  return {
    name: "aura:plain-schema-markdown",
    enforce: "pre",
    resolveId(source, importer) {
      const fromLibrary = importer?.includes("codemirror-json-schema") ?? false;
      return fromLibrary && /(^|\/)utils\/markdown(\.js)?$/.test(source) ? PLAIN_MARKDOWN : null;
    },
  };
}

/**
 * The installable app (docs/architecture.md "Offline and install"): a web manifest and a
 * Workbox service worker (generateSW) that precaches the app shell, index.html and every
 * hashed asset, so the app loads offline. Navigations fall back to index.html, except
 * the URLs firebase.json rewrites to functions. A new build waits for the user's
 * "Reload" (registerType "prompt", src/components/UpdatePrompt.tsx), never mid-session.
 */
const THEME = "#5b4bdb"; // --accent in src/styles.css
const BACKGROUND = "#f7f7fb"; // --bg
const FIREBASE_JSON = fileURLToPath(new URL("../firebase.json", import.meta.url));

function installableApp() {
  const hosting = JSON.parse(readFileSync(FIREBASE_JSON, "utf8")) as {
    hosting: { rewrites: HostingRewrite[] };
  };
  return VitePWA({
    registerType: "prompt",
    // Registered by UpdatePrompt (useRegisterSW), not by an injected inline script (CSP).
    injectRegister: false,
    includeAssets: ["favicon.svg", "apple-touch-icon-180x180.png"],
    manifest: {
      id: "/",
      name: "Aura",
      short_name: "Aura",
      description: "Aura, your AI assistant.",
      start_url: "/",
      scope: "/",
      display: "standalone",
      theme_color: THEME,
      background_color: BACKGROUND,
      icons: [
        { src: "/pwa-192x192.png", sizes: "192x192", type: "image/png" },
        { src: "/pwa-512x512.png", sizes: "512x512", type: "image/png" },
        { src: "/maskable-512x512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        { src: "/favicon.svg", sizes: "any", type: "image/svg+xml" },
      ],
    },
    workbox: {
      globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
      // The workflow editor's libraries are the largest file (about 1 MB).
      maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      navigateFallback: "/index.html",
      navigateFallbackDenylist: navigationDenylist(hosting.hosting.rewrites),
      cleanupOutdatedCaches: true,
      runtimeCaching: [
        {
          // A deployed app reads its Firebase config here before it starts: the last copy
          // lets it start offline.
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname === "/__/firebase/init.json",
          handler: "NetworkFirst",
          options: { cacheName: "firebase-config", networkTimeoutSeconds: 5 },
        },
      ],
    },
  });
}

export default defineConfig({
  plugins: [fullCalendarCss(), plainSchemaMarkdown(), installableApp()],
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
