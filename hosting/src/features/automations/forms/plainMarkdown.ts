/**
 * Stands in for codemirror-json-schema's `utils/markdown` (markdown-it with shiki
 * highlighting: about a megabyte of the editor's chunk, and a highlighter that loads
 * themes at import). Aura's schema descriptions and validation messages are plain text;
 * the library puts the result in `innerHTML`, so it is escaped here. Swapped in by the
 * `aura:plain-schema-markdown` plugin in vite.config.ts.
 */
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function renderMarkdown(markdown: string, _inline = true): string {
  return String(markdown).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
