import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import "./markdown.css";

/*
 * Safe by construction: react-markdown builds React elements (no innerHTML), shows raw
 * HTML in the markdown as text (no rehype-raw here), and its default urlTransform drops
 * unsafe link targets such as `javascript:`.
 */
const REMARK_PLUGINS = [remarkGfm];
// Highlight fenced blocks that name a language (```ts); unknown languages stay plain.
const REHYPE_PLUGINS = [rehypeHighlight];

const COMPONENTS: Components = {
  // Links open outside the app, without handing it over (window.opener) or a referrer;
  // one whose target urlTransform dropped (e.g. `javascript:`) is plain text.
  a: ({ node: _node, children, href, title }) =>
    href ? (
      <a href={href} title={title} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  // A reply never loads images: a crafted image URL could leak what the page holds.
  img: ({ node: _node, alt }) => <span className="muted">[image{alt ? `: ${alt}` : ""}]</span>,
};

/** Markdown written by Aura, rendered as sanitised React elements with highlighted code. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={REMARK_PLUGINS}
        rehypePlugins={REHYPE_PLUGINS}
        components={COMPONENTS}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
});
