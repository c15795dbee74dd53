import { useEffect, useId, useRef, type KeyboardEvent } from "react";
import {
  BLANK_TEMPLATE,
  GALLERY,
  templateUses,
  usesSentence,
  type GalleryTemplate,
} from "./gallery";
import "./gallery.css";

const CHOICES: readonly GalleryTemplate[] = [BLANK_TEMPLATE, ...GALLERY];

/**
 * The choice a new workflow starts from: blank (the starter example) or one of the ready
 * workflows, each a card (a button) with its name, description and the trigger and step
 * types it uses. Opens with the first card focused; Tab or the arrow keys (Home, End too)
 * move between cards, Enter or Space picks one, Escape closes.
 */
export function WorkflowGallery({
  id,
  onChoose,
  onClose,
}: {
  /** The panel's id (the "New workflow" button's aria-controls). */
  id: string;
  onChoose: (templateId: string) => void;
  onClose: () => void;
}) {
  const base = useId();
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    listRef.current?.querySelector<HTMLButtonElement>("button")?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
      return;
    }
    const buttons = [...(listRef.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    const at = buttons.findIndex((button) => button === document.activeElement);
    if (at < 0) return;
    const next =
      event.key === "ArrowRight" || event.key === "ArrowDown"
        ? Math.min(at + 1, buttons.length - 1)
        : event.key === "ArrowLeft" || event.key === "ArrowUp"
          ? Math.max(at - 1, 0)
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? buttons.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    buttons[next]?.focus();
  }

  return (
    <section
      id={id}
      className="card workflow-gallery stack"
      aria-labelledby={`${base}-heading`}
      data-testid="workflow-gallery"
      onKeyDown={onKeyDown}
    >
      <div className="row spread">
        <h2 id={`${base}-heading`}>Start a new workflow</h2>
        <button type="button" className="secondary small" onClick={onClose}>
          Cancel
        </button>
      </div>
      <p className="muted" id={`${base}-hint`}>
        Start blank, or from a ready workflow: it opens in the editor as a draft to change before
        you save it.
      </p>
      <ul className="gallery-grid" ref={listRef} aria-labelledby={`${base}-heading`}>
        {CHOICES.map((template, index) => {
          const uses = templateUses(template.definition);
          const key = `${base}-${index}`;
          return (
            <li key={template.id} className="gallery-card" data-testid="gallery-card">
              {/* The button is the card's name; it covers the whole card (CSS). */}
              <button
                type="button"
                className="gallery-pick"
                data-template-id={template.id}
                aria-describedby={`${key}-description ${key}-uses`}
                onClick={() => onChoose(template.id)}
              >
                {template.name}
              </button>
              <p className="gallery-description" id={`${key}-description`}>
                {template.description}
              </p>
              <p className="visually-hidden" id={`${key}-uses`}>
                Uses: {usesSentence(uses)}.
              </p>
              <p className="gallery-uses" aria-hidden="true">
                {uses.triggers.map((used) => (
                  <span key={`t-${used.type}`} className="gallery-chip trigger">
                    {used.label}
                  </span>
                ))}
                {uses.steps.map((used) => (
                  <span key={`s-${used.type}`} className="gallery-chip">
                    {used.count > 1 ? `${used.label} ×${used.count}` : used.label}
                  </span>
                ))}
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
