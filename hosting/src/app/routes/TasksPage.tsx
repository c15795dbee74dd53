import { usePageTitle } from "../../hooks/usePageTitle";

export default function TasksPage() {
  usePageTitle("Tasks");
  return (
    <section>
      <h1>Tasks</h1>
      <p>Your to-dos, whether you add them or Aura suggests them, will be listed here.</p>
    </section>
  );
}
