import { useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useWorkflows } from "../api/workflows";
import { WorkflowList } from "../components/WorkflowList";
import { newWorkflowUrl } from "../gallery/gallery";
import { WorkflowGallery } from "../gallery/WorkflowGallery";
import "../components/automations.css";

/**
 * /automations: the user's workflows, kept live by a Firestore listener (started once the
 * profile is ready), and the way into the editor: "New workflow" opens the gallery, where
 * a new workflow starts blank or from a ready one.
 */
export default function AutomationsPage() {
  usePageTitle("Automations");
  const navigate = useNavigate();
  const workflows = useWorkflows(useReadyUid());
  const galleryId = useId();
  const [choosing, setChoosing] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);

  function closeGallery() {
    setChoosing(false);
    newButton.current?.focus();
  }

  return (
    <section className="automations stack">
      <div className="row spread">
        <h1>Automations</h1>
        <button
          type="button"
          ref={newButton}
          aria-expanded={choosing}
          aria-controls={choosing ? galleryId : undefined}
          onClick={() => (choosing ? closeGallery() : setChoosing(true))}
        >
          New workflow
        </button>
      </div>
      <p className="muted">
        Workflows run their steps when a trigger fires: by hand, from a webhook, on a
        schedule, or when something happens in Aura.
      </p>
      {choosing && (
        <WorkflowGallery
          id={galleryId}
          onChoose={(templateId) => void navigate(newWorkflowUrl(templateId))}
          onClose={closeGallery}
        />
      )}
      <SetupError />
      <WorkflowList workflows={workflows.data} error={workflows.error} />
    </section>
  );
}
