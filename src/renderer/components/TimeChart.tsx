import { useEffect, useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import { formatClock } from '../format.js';

/** One line of a chart. */
export interface ChartLine {
  label: string;
  values: (number | null)[];
  /** CSS custom property holding the line's colour (read at draw time, so the theme applies). */
  colorVar: string;
  /** CSS custom property holding the fill under the line, if any. */
  fillVar?: string;
  dash?: number[];
}

export interface TimeChartProps {
  /** What the chart shows, for assistive technology (the canvas itself says nothing). */
  description: string;
  /** Seconds since the epoch, one per value. */
  time: number[];
  lines: ChartLine[];
  /** The right edge of the time window (seconds); the window is `windowSeconds` wide. */
  windowEnd: number;
  windowSeconds: number;
  /** Value axis labels. */
  formatValue: (v: number) => string;
  /** The hover read-out's values (default: formatValue). */
  formatReadout?: (v: number) => string;
  /** Width kept for the value axis's labels, in CSS pixels. */
  axisWidth: number;
  /** Steps the value axis may use between ticks (default: 1, 2, 5 times powers of ten). */
  valueIncrs?: number[];
  /** Changes when the colour scheme does: the chart redraws with the new colours. */
  theme: string;
  /** While true the chart keeps its picture (its page is hidden). */
  paused?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** "now", "−1 min", "−5 min". */
function relativeLabel(secondsBack: number): string {
  const min = Math.round(secondsBack / 60);
  return min === 0 ? 'now' : `\u2212${min} min`;
}

type Data = uPlot.AlignedData;

const toData = (time: number[], lines: ChartLine[]): Data => [time, ...lines.map((l) => l.values)];

/**
 * A live time-series chart (uPlot) over a fixed window ending at the newest
 * sample. It fills its container's width and height and follows it when the
 * window resizes.
 */
export function TimeChart(props: TimeChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const readoutRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  // The chart's callbacks read the newest props through this.
  const latest = useRef(props);
  latest.current = props;

  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host) return;

    const create = (width: number, height: number) => {
      const p = latest.current;
      const font = `12px ${getComputedStyle(host).fontFamily}`;
      const axisStroke = () => cssVar('--text-muted');
      const gridStroke = () => cssVar('--chart-grid');
      const opts: uPlot.Options = {
        width,
        height,
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
        // Room on the right for the "now" label, centred on the plot's edge.
        padding: [8, 16, 0, 0],
        scales: {
          x: {
            time: true,
            range: () => {
              const end = latest.current.windowEnd;
              return [end - latest.current.windowSeconds, end];
            },
          },
          y: {
            range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.15 : 1],
          },
        },
        axes: [
          {
            stroke: axisStroke,
            font,
            size: 24,
            gap: 4,
            grid: { stroke: gridStroke, width: 1 },
            ticks: { show: false },
            // Whole minutes back from the newest sample: the window moves, its labels stay put.
            splits: () => {
              const { windowEnd, windowSeconds } = latest.current;
              const out: number[] = [];
              for (let t = 0; t <= windowSeconds; t += 60) out.unshift(windowEnd - t);
              return out;
            },
            // The oldest tick goes unlabelled: its label would run into the value axis.
            values: (_u, splits) => splits.map((s, i) => (i === 0 ? '' : relativeLabel(latest.current.windowEnd - s))),
          },
          {
            stroke: axisStroke,
            font,
            size: p.axisWidth,
            space: 28,
            ...(p.valueIncrs ? { incrs: p.valueIncrs } : {}),
            grid: { stroke: gridStroke, width: 1 },
            ticks: { show: false },
            values: (_u, splits) => splits.map((v) => latest.current.formatValue(v)),
          },
        ],
        series: [
          {},
          ...p.lines.map(({ label, colorVar, fillVar, dash }): uPlot.Series => ({
            label,
            stroke: () => cssVar(colorVar),
            ...(fillVar ? { fill: () => cssVar(fillVar) } : {}),
            ...(dash ? { dash } : {}),
            width: 2,
            points: { show: false },
            spanGaps: false,
          })),
        ],
        hooks: {
          setCursor: [(u) => showReadout(u)],
        },
      };
      chartRef.current = new uPlot(opts, toData(p.time, p.lines), host);
    };

    const showReadout = (u: uPlot) => {
      const el = readoutRef.current;
      if (!el) return;
      const idx = u.cursor.idx;
      const t = idx === null || idx === undefined ? undefined : u.data[0][idx];
      if (idx === null || idx === undefined || t === undefined) {
        el.hidden = true;
        return;
      }
      const p = latest.current;
      const parts = p.lines.map((l, i) => {
        const v = u.data[i + 1]?.[idx];
        return `${l.label} ${v === null || v === undefined ? '—' : (p.formatReadout ?? p.formatValue)(v)}`;
      });
      el.textContent = `${formatClock(t * 1000)} · ${parts.join(' · ')}`;
      el.hidden = false;
    };

    const fit = () => {
      const width = Math.floor(host.clientWidth);
      const height = Math.floor(host.clientHeight);
      if (width <= 0 || height <= 0) return; // hidden
      if (!chartRef.current) create(width, height);
      else if (chartRef.current.width !== width || chartRef.current.height !== height) chartRef.current.setSize({ width, height });
    };
    const observer = new ResizeObserver(fit);
    observer.observe(host);
    fit();
    return () => {
      observer.disconnect();
      chartRef.current?.destroy();
      chartRef.current = null;
    };
  }, []);

  const { time, lines, windowEnd, paused } = props;
  useEffect(() => {
    if (paused) return;
    chartRef.current?.setData(toData(time, lines));
  }, [time, lines, windowEnd, paused]);

  useEffect(() => {
    chartRef.current?.redraw(false, true);
  }, [props.theme]);

  return (
    <div className="chart" role="img" aria-label={props.description}>
      <div className="chart-canvas" ref={hostRef} />
      <div className="chart-readout" ref={readoutRef} hidden aria-hidden="true" />
    </div>
  );
}
