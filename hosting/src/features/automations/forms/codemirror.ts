/**
 * CodeMirror views that keep working under the site's Content-Security-Policy
 * (`style-src 'self'`, no inline styles). CodeMirror writes its styles with style-mod,
 * which puts them in a `<style>` element when the editor lives in the document (refused
 * by that policy: the editor then has no layout) but in a constructed stylesheet
 * (`adoptedStyleSheets`, which the policy allows) when it lives in a shadow root. So each
 * editor is mounted in a shadow root of its host element, and its look comes from a
 * CodeMirror theme (the page's stylesheets do not reach inside; its colour variables do).
 */
import type { EditorState, Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";

const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

/** The editors' look, in the app's colours (CSS variables inherit into the shadow root). */
export const auraTheme: Extension = EditorView.theme({
  "&": { color: "var(--text)", backgroundColor: "transparent", fontSize: "0.85rem" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { fontFamily: MONO, caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": {
    backgroundColor: "var(--surface)",
    color: "var(--muted)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "color-mix(in srgb, var(--accent) 8%, transparent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "color-mix(in srgb, var(--accent) 25%, transparent)",
  },
  ".cm-placeholder": { color: "var(--muted)" },
  ".cm-tooltip": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border)",
    borderRadius: "6px",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--accent-text)",
  },
  ".cm-completionDetail": { color: "inherit", opacity: "0.75", marginLeft: "0.75em", fontStyle: "normal" },
  ".cm-template-code": { color: "var(--accent)" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--bad)" },
});

/** Taller editors (multi-line templates, free JSON). */
export const multilineTheme: Extension = EditorView.theme({ ".cm-content": { minHeight: "4.5rem" } });

/** The definition's JSON view: a fixed height with its own scroll bars. */
export const documentTheme: Extension = EditorView.theme({
  "&": { height: "32rem", maxHeight: "70vh" },
  ".cm-scroller": { overflow: "auto" },
});

/** A view in a shadow root of `host` (reused if the host has one: React mounts twice). */
export function mountEditor(host: HTMLElement, state: EditorState): EditorView {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  shadow.replaceChildren();
  return new EditorView({ state, root: shadow, parent: shadow });
}
