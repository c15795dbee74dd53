import type { Problem, Summary } from "../utils/definition";

interface DefinitionSummaryProps {
  /** null while the JSON does not parse. */
  summary: Summary | null;
  /** The node, edge or trigger the last server error named, to mark. */
  problem: Problem | null;
}

function Marker() {
  return (
    <span className="problem-marker" title="The problem the server reported">
      ⚠<span className="visually-hidden"> (the reported problem)</span>
    </span>
  );
}

/** What the definition holds, read-only: nodes (id, type), edges and triggers. */
export function DefinitionSummary({ summary, problem }: DefinitionSummaryProps) {
  const marks = (section: Problem["section"], index: number) =>
    problem?.section === section && problem.index === index;

  return (
    <aside className="definition-summary card" aria-labelledby="definition-summary-heading">
      <h2 id="definition-summary-heading">Summary</h2>
      {!summary ? (
        <p className="muted">Fix the JSON to see its nodes and edges.</p>
      ) : (
        <>
          <h3>Nodes ({summary.nodes.length})</h3>
          {summary.nodes.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ol data-testid="summary-nodes">
              {summary.nodes.map((node, index) => (
                <li
                  // Ids may repeat while being typed (the server refuses that).
                  key={index}
                  className={marks("nodes", index) ? "problem" : undefined}
                  data-testid="summary-node"
                >
                  <code>{node.id}</code> <span className="badge neutral">{node.type}</span>
                  {marks("nodes", index) && <Marker />}
                  {node.name && <small className="muted summary-name">{node.name}</small>}
                </li>
              ))}
            </ol>
          )}
          <h3>Edges ({summary.edges.length})</h3>
          {summary.edges.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ol data-testid="summary-edges">
              {summary.edges.map((edge, index) => (
                <li
                  key={index}
                  className={marks("edges", index) ? "problem" : undefined}
                  data-testid="summary-edge"
                >
                  <code>{edge}</code>
                  {marks("edges", index) && <Marker />}
                </li>
              ))}
            </ol>
          )}
          <h3>Triggers ({summary.triggers.length})</h3>
          {summary.triggers.length === 0 ? (
            <p className="muted">None: the workflow only runs when started by hand.</p>
          ) : (
            <ul>
              {summary.triggers.map((trigger, index) => (
                <li key={index} className={marks("triggers", index) ? "problem" : undefined}>
                  {trigger}
                  {marks("triggers", index) && <Marker />}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  );
}
