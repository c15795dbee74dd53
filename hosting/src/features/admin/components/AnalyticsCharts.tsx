import { useId, type ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { DayUsagePublic } from "../../../wire/analytics";
import {
  activeSeries,
  callsSeries,
  costSeries,
  dayTotals,
  formatUsd,
  topFunctions,
} from "../utils/analytics";

const PALETTE = ["#5b4bdb", "#c2410c", "#0f766e", "#b45309", "#be185d", "#1d4ed8", "#6b7280"];
const colour = (index: number) => PALETTE[index % PALETTE.length];

function ChartFigure({
  title,
  testId,
  tableId,
  children,
}: {
  title: string;
  testId: string;
  tableId: string;
  children: (label: string) => ReactNode;
}) {
  const id = useId();
  return (
    <figure className="analytics-figure" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <div className="analytics-chart" data-testid={testId}>
        {children(`${title}; the figures are in the table "Usage per day" (#${tableId}).`)}
      </div>
    </figure>
  );
}

/**
 * The three charts of the analytics page (recharts): calls per day stacked by the top
 * functions, AI cost per day by model, active users per day. `AnalyticsTable` holds the
 * same figures as text: the charts' accessible alternative (`tableId` links them).
 */
export function AnalyticsCharts({
  days,
  tableId,
}: {
  days: readonly DayUsagePublic[];
  tableId: string;
}) {
  const calls = callsSeries(days, topFunctions(days));
  const cost = costSeries(days);
  const active = activeSeries(days);
  const common = {
    responsive: true,
    width: "100%" as const,
    height: 260,
    margin: { top: 10, right: 20, bottom: 10, left: 10 },
    accessibilityLayer: false,
    role: "img",
    "aria-describedby": tableId,
  };
  return (
    <div className="analytics-charts">
      <ChartFigure
        title="Calls per day by function"
        testId="analytics-calls-chart"
        tableId={tableId}
      >
        {(label) => (
          <BarChart data={calls.rows} aria-label={label} {...common}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend verticalAlign="top" />
            {calls.keys.map((key, index) => (
              <Bar
                key={key}
                dataKey={key}
                stackId="calls"
                fill={colour(index)}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ChartFigure>
      <ChartFigure
        title="AI cost per day by model (USD)"
        testId="analytics-cost-chart"
        tableId={tableId}
      >
        {(label) => (
          <BarChart data={cost.rows} aria-label={label} {...common}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis tickFormatter={(value: number) => formatUsd(value)} />
            <Tooltip
              formatter={(value) => (typeof value === "number" ? formatUsd(value) : value)}
            />
            <Legend verticalAlign="top" />
            {cost.keys.map((key, index) => (
              <Bar
                key={key}
                dataKey={key}
                stackId="cost"
                fill={colour(index)}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ChartFigure>
      <ChartFigure title="Active users per day" testId="analytics-active-chart" tableId={tableId}>
        {(label) => (
          <LineChart data={active} aria-label={label} {...common}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Line
              type="monotone"
              dataKey="activeUsers"
              name="Active users"
              stroke={colour(0)}
              isAnimationActive={false}
            />
          </LineChart>
        )}
      </ChartFigure>
    </div>
  );
}

/** The figures behind the charts, one row per day: the charts' text alternative. */
export function AnalyticsTable({
  days,
  tableId,
}: {
  days: readonly DayUsagePublic[];
  tableId: string;
}) {
  return (
    <table id={tableId} className="analytics-table" data-testid="analytics-table">
      <caption>Usage per day (UTC)</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          <th scope="col">Calls</th>
          <th scope="col">Errors</th>
          <th scope="col">Top functions</th>
          <th scope="col">AI requests</th>
          <th scope="col">AI tokens</th>
          <th scope="col">AI cost</th>
          <th scope="col">Events</th>
          <th scope="col">Active users</th>
        </tr>
      </thead>
      <tbody>
        {days.map((day) => {
          const totals = dayTotals(day);
          const top = Object.entries(day.calls)
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .slice(0, 3)
            .map(([name, count]) => `${name} ${count}`)
            .join(", ");
          return (
            <tr key={day.day} data-testid="analytics-row">
              <th scope="row">{day.day}</th>
              <td>{totals.calls}</td>
              <td>{totals.errors}</td>
              <td>{top || "—"}</td>
              <td>{totals.aiRequests}</td>
              <td>{totals.tokens}</td>
              <td>{formatUsd(totals.costUsd)}</td>
              <td>{totals.events}</td>
              <td>{totals.activeUsers}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
