import { useId } from "react";
import {
  CartesianGrid,
  Legend,
  ReferenceLine,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { ReliabilityBin } from "../models";
import { percent, reliabilityPoints, reliabilityRows } from "../utils/decisions";

const CALIBRATED = "#5b4bdb";
const RAW = "#c2410c";
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/**
 * The reliability diagram: per confidence bin, the mean confidence (x) against how often
 * the decision turned out well (y), for the calibrated and the model's raw confidence.
 * Points on the diagonal are perfectly calibrated; below it, over-confident. The table
 * under it holds the same figures: the chart's text alternative.
 */
export function ReliabilityChart({
  calibrated,
  raw,
}: {
  calibrated: readonly ReliabilityBin[];
  raw: readonly ReliabilityBin[];
}) {
  const id = useId();
  const calibratedPoints = reliabilityPoints(calibrated);
  const rawPoints = reliabilityPoints(raw);
  const rows = reliabilityRows(calibrated, raw);

  return (
    <figure className="reliability" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        Reliability: stated confidence against observed success
      </figcaption>
      <div className="reliability-chart" data-testid="reliability-chart">
        <ScatterChart
          responsive
          width="100%"
          height={300}
          margin={{ top: 10, right: 20, bottom: 30, left: 10 }}
          accessibilityLayer={false}
          role="img"
          aria-label="Reliability chart; the figures are in the table below it."
          aria-describedby={`${id}-table`}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="predicted"
            name="Confidence"
            domain={[0, 1]}
            ticks={TICKS}
            tickFormatter={percent}
            label={{ value: "Confidence", position: "insideBottom", offset: -15 }}
          />
          <YAxis
            type="number"
            dataKey="observed"
            name="Observed success"
            domain={[0, 1]}
            ticks={TICKS}
            tickFormatter={percent}
            label={{ value: "Observed", angle: -90, position: "insideLeft" }}
          />
          <ReferenceLine
            segment={[
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ]}
            stroke="#8a8a99"
            strokeDasharray="6 4"
            ifOverflow="extendDomain"
          />
          <Tooltip formatter={(value) => (typeof value === "number" ? percent(value) : value)} />
          <Legend verticalAlign="top" />
          {/* Raw first: the calibrated series is drawn over it. */}
          <Scatter
            name="Raw (model)"
            data={rawPoints}
            fill={RAW}
            shape="diamond"
            line={{ stroke: RAW, strokeDasharray: "4 3" }}
            isAnimationActive={false}
          />
          <Scatter
            name="Calibrated"
            data={calibratedPoints}
            fill={CALIBRATED}
            line={{ stroke: CALIBRATED }}
            isAnimationActive={false}
          />
        </ScatterChart>
      </div>
      <table id={`${id}-table`} className="reliability-table" data-testid="reliability-table">
        <caption className="visually-hidden">Reliability by confidence bin</caption>
        <thead>
          <tr>
            <th scope="col">Confidence</th>
            <th scope="col">Mean confidence</th>
            <th scope="col">Observed success</th>
            <th scope="col">Decisions</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted">
                No outcomes recorded yet.
              </td>
            </tr>
          ) : (
            rows.map((row, index) => (
              <tr key={`${row.series}-${index}`} data-testid="reliability-row">
                <th scope="row">{row.series}</th>
                <td>{percent(row.predicted)}</td>
                <td>{percent(row.observed)}</td>
                <td>{row.count}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </figure>
  );
}
