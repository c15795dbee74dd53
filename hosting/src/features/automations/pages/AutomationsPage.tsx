import { useNavigate } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useWorkflows } from "../api/workflows";
import { WorkflowList } from "../components/WorkflowList";
import "../components/automations.css";

/**
 * /automations: the user's workflows, kept live by a Firestore listener (started once the
 * profile is ready), and the way into the editor.
 */
export default function AutomationsPage() {
  usePageTitle("Automations");
  const navigate = useNavigate();
  const workflows = useWorkflows(useReadyUid());

  return (
    <section className="automations stack">
      <div className="row spread">
        <h1>Automations</h1>
        <button type="button" onClick={() => void navigate("/automations/new")}>
          New workflow
        </button>
      </div>
      <p className="muted">
        Workflows run their steps when a trigger fires: by hand, from a webhook, on a
        schedule, or when something happens in Aura.
      </p>
      <SetupError />
      <WorkflowList workflows={workflows.data} error={workflows.error} />
    </section>
  );
}
