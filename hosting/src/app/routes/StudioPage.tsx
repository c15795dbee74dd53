import { usePageTitle } from "../../hooks/usePageTitle";

export default function StudioPage() {
  usePageTitle("Studio");
  return (
    <section>
      <h1>Studio</h1>
      <p>Image and document generation will live here: your prompts, their progress and the results.</p>
    </section>
  );
}
