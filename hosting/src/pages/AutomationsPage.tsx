import { usePageTitle } from "../usePageTitle";

export default function AutomationsPage() {
  usePageTitle("Automations");
  return (
    <section>
      <h1>Automations</h1>
      <p>Workflows that run on triggers and schedules will be built here, with a log of every run.</p>
    </section>
  );
}
