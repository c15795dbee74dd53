import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { RouterProvider } from "react-router/dom";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./components/RequireAuth";
import CalendarPage from "./pages/CalendarPage";
import InboxPage from "./pages/InboxPage";
import NotFoundPage from "./pages/NotFoundPage";
import ProfilePage from "./pages/ProfilePage";
import SignInPage from "./pages/SignInPage";
import SignUpPage from "./pages/SignUpPage";
import StatusPage from "./pages/StatusPage";
import StudioPage from "./pages/StudioPage";
import TasksPage from "./pages/TasksPage";

// Chat brings markdown and code highlighting, Automations its editor: each is loaded on
// first visit, in its own chunks.
const ChatPage = lazy(() => import("./pages/ChatPage"));
const AutomationsPage = lazy(() => import("./pages/AutomationsPage"));
const WorkflowEditorPage = lazy(() => import("./pages/WorkflowEditorPage"));
const WorkflowExecutionsPage = lazy(() => import("./pages/WorkflowExecutionsPage"));
const ExecutionPage = lazy(() => import("./pages/ExecutionPage"));

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <p className="muted" role="status">
          Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
}

const chat = (
  <Loading>
    <ChatPage />
  </Loading>
);
const workflowEditor = (
  <Loading>
    <WorkflowEditorPage />
  </Loading>
);

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "signin", element: <SignInPage /> },
      { path: "signup", element: <SignUpPage /> },
      { path: "status", element: <StatusPage /> },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <Navigate to="/profile" replace /> },
          { path: "profile", element: <ProfilePage /> },
          { path: "chat", element: chat },
          { path: "chat/:conversationId", element: chat },
          { path: "studio", element: <StudioPage /> },
          {
            path: "automations",
            element: (
              <Loading>
                <AutomationsPage />
              </Loading>
            ),
          },
          { path: "automations/new", element: workflowEditor },
          { path: "automations/:workflowId/edit", element: workflowEditor },
          {
            path: "automations/:workflowId/executions",
            element: (
              <Loading>
                <WorkflowExecutionsPage />
              </Loading>
            ),
          },
          {
            path: "automations/executions/:executionId",
            element: (
              <Loading>
                <ExecutionPage />
              </Loading>
            ),
          },
          { path: "tasks", element: <TasksPage /> },
          { path: "calendar", element: <CalendarPage /> },
          { path: "inbox", element: <InboxPage /> },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
