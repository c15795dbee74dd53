import { Link } from "react-router";
import { usePageTitle } from "../../hooks/usePageTitle";

export default function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to Aura</Link>
      </p>
    </section>
  );
}
