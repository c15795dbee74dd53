import { useNavigate } from "react-router";
import { useAuth } from "../auth";
import { WorkflowList } from "../components/automations/WorkflowList";
import { useWorkflows } from "../useAutomations";
import { usePageTitle } from "../usePageTitle";
import "../components/automations/automations.css";

/**
 * /automations: the user's workflows, kept live by a Firestore listener (started once the
 * profile is ready), and the way into the editor.
 */
export default function AutomationsPage() {
  usePageTitle("Automations");
  const navigate = useNavigate();
  const { user, profileReady, setupError, retrySetup } = useAuth();
  const workflows = useWorkflows(profileReady ? user?.uid : undefined);

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
      {setupError && (
        <div className="error" role="alert">
          <p>We could not set up your account: {setupError}</p>
          <button type="button" className="secondary" onClick={retrySetup}>
            Try again
          </button>
        </div>
      )}
      <WorkflowList workflows={workflows.data} error={workflows.error} />
    </section>
  );
}
