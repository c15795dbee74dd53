import { useState } from "react";
import { useSearchParams } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { GenerateForm } from "../components/GenerateForm";
import { GenerationView } from "../components/GenerationView";
import { HistoryList } from "../components/HistoryList";
import "../components/studio.css";

/**
 * /studio: code, an OpenAPI spec, a UI component or a CLI tool from a prompt. The
 * generation shown (`?g=<id>`) is live: progress, the output as it streams, then the
 * files, checked without being run; below, the history of earlier generations.
 */
export default function StudioPage() {
  usePageTitle("Studio");
  const uid = useReadyUid();
  const [params, setParams] = useSearchParams();
  const generationId = params.get("g");
  const [refreshKey, setRefreshKey] = useState(0);
  // Deleted here: hidden from the history at once, whatever page of it is on screen.
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(() => new Set());

  function open(id: string | null) {
    setParams(id ? { g: id } : {});
  }
  const refresh = () => setRefreshKey((key) => key + 1);

  return (
    <section className="studio-page stack">
      <h1>Studio</h1>
      <SetupError />
      <div className="card">
        <h2>New generation</h2>
        <GenerateForm
          onStarted={(id) => {
            open(id);
            refresh();
          }}
        />
      </div>
      {generationId && (
        <div className="card" aria-label="Current generation" role="region">
          <GenerationView
            key={generationId}
            uid={uid}
            generationId={generationId}
            onOpen={open}
            onChanged={refresh}
            onDeleted={(id) => {
              setDeleted((ids) => new Set(ids).add(id));
              open(null);
              refresh();
            }}
          />
        </div>
      )}
      <HistoryList refreshKey={refreshKey} currentId={generationId} deleted={deleted} />
    </section>
  );
}
