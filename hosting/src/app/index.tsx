import { AppProvider } from "./provider";
import { AppRouter } from "./router";

/** The web app: its providers around its routes. */
export function App() {
  return (
    <AppProvider>
      <AppRouter />
    </AppProvider>
  );
}
