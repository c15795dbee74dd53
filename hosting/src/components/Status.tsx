/** The lines every page shows while its data loads, and when it could not. */
import type { ReactNode } from "react";

/** A quiet "Loading…" line, announced politely to screen readers. */
export function Loading({
  children = "Loading…",
  className,
}: {
  children?: ReactNode;
  className?: string;
}) {
  return (
    <p className={className ? `muted ${className}` : "muted"} role="status">
      {children}
    </p>
  );
}

/** An error line, announced at once. */
export function ErrorMessage({
  children,
  id,
  testId,
}: {
  children: ReactNode;
  id?: string;
  testId?: string;
}) {
  return (
    <p id={id} className="error" role="alert" data-testid={testId}>
      {children}
    </p>
  );
}

/** "Could not load {what}: {error}", or nothing while there is no error. */
export function LoadError({ what, error }: { what: string; error: string | null }) {
  return error ? <ErrorMessage>{`Could not load ${what}: ${error}`}</ErrorMessage> : null;
}
