import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { formatFps, formatMs, formatRate, formatRatio } from '../format.js';
import { HISTORY_SECONDS, type MetricsHistory } from '../metrics/metrics-history.js';
import { metricsSeries } from '../metrics/metrics-series.js';
import { TimeChart, type ChartLine } from '../components/TimeChart.js';

interface MetricsPageProps {
  history: MetricsHistory;
  /** Whether the server reports metrics at all (null: not known yet). */
  available: boolean | null;
  theme: string;
  active: boolean;
}

/** A compact axis label: no unit where the caption says it. */
const plain = (v: number) => String(Number(v.toFixed(v >= 100 ? 0 : v >= 1 ? 1 : 2)));
const rateAxis = (v: number) => formatRate(v).replace('/s', '');
/** Tick steps for byte rates: 1, 2, 5 … times B, KB, MB, GB, so labels come out round. */
const BYTE_INCRS = [1, 1024, 1024 ** 2, 1024 ** 3].flatMap((unit) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * unit));

export function MetricsPage({ history, available, theme, active }: MetricsPageProps) {
  const [version, setVersion] = useState(history.version);
  useEffect(() => {
    setVersion(history.version);
    return history.subscribe(() => setVersion(history.version));
  }, [history]);

  // Recomputed once per sample; the charts share the columns.
  const series = useMemo(() => metricsSeries(history.samples()), [history, version]);
  const latest = history.latest();
  const windowEnd = (latest?.at ?? Date.now()) / 1000;
  const o = latest?.overall;

  const lines = useMemo(
    () => ({
      fps: [
        { label: 'Sent', values: series.fps, colorVar: '--chart-1', fillVar: '--chart-1-fill' },
        { label: 'Captured', values: series.captureFps, colorVar: '--chart-2', dash: [5, 4] },
      ] satisfies ChartLine[],
      bandwidth: [{ label: 'Sent', values: series.bandwidth, colorVar: '--chart-1', fillVar: '--chart-1-fill' }] satisfies ChartLine[],
      encode: [
        { label: 'Median', values: series.encodeP50, colorVar: '--chart-1', fillVar: '--chart-1-fill' },
        { label: '95th percentile', values: series.encodeP95, colorVar: '--chart-2', dash: [5, 4] },
      ] satisfies ChartLine[],
      ratio: [{ label: 'Ratio', values: series.compressionRatio, colorVar: '--chart-1', fillVar: '--chart-1-fill' }] satisfies ChartLine[],
    }),
    [series],
  );

  const common = { time: series.time, windowEnd, windowSeconds: HISTORY_SECONDS, theme, paused: !active };

  return (
    <div className="page metrics-page">
      <div className="page-intro">
        <p>
          The last 5 minutes, sampled every second, across all viewers.
          {latest === undefined && available !== false ? ' Waiting for the first figures…' : ''}
        </p>
        {available === false ? <p className="notice">This server does not report performance figures.</p> : null}
      </div>
      <div className="chart-grid">
        <ChartCard
          caption="Frames per second"
          value={<Value swatch="1">{formatFps(o?.fps)}</Value>}
          detail={<Value swatch="2">captured {formatFps(o?.captureFps)}</Value>}
        >
          <TimeChart {...common} description="Frames per second sent to viewers and captured, over the last 5 minutes" lines={lines.fps} formatValue={plain} formatReadout={formatFps} axisWidth={40} />
        </ChartCard>
        <ChartCard caption="Bandwidth" value={<Value>{formatRate(o?.bandwidth)}</Value>} detail="sent to all viewers">
          <TimeChart
            {...common}
            description="Bytes per second sent to viewers, over the last 5 minutes"
            lines={lines.bandwidth}
            formatValue={rateAxis}
            formatReadout={formatRate}
            axisWidth={60}
            valueIncrs={BYTE_INCRS}
          />
        </ChartCard>
        <ChartCard
          caption="Encode time"
          value={<Value swatch="1">median {formatMs(o?.encodeMsP50)}</Value>}
          detail={<Value swatch="2">p95 {formatMs(o?.encodeMsP95)}</Value>}
        >
          <TimeChart {...common} description="Time to encode an update, median and 95th percentile in milliseconds, over the last 5 minutes" lines={lines.encode} formatValue={(v) => `${plain(v)} ms`} formatReadout={formatMs} axisWidth={52} />
        </ChartCard>
        <ChartCard caption="Compression ratio" value={<Value>{formatRatio(o?.compressionRatio)}</Value>} detail="raw pixels to bytes sent">
          <TimeChart {...common} description="Raw pixel bytes per byte sent, over the last 5 minutes" lines={lines.ratio} formatValue={plain} formatReadout={formatRatio} axisWidth={40} />
        </ChartCard>
      </div>
    </div>
  );
}

function ChartCard({ caption, value, detail, children }: { caption: string; value: ReactNode; detail: ReactNode; children: ReactNode }) {
  return (
    <figure className="card chart-card">
      <figcaption>{caption}</figcaption>
      <p className="chart-value">{value}</p>
      <p className="chart-detail">{detail}</p>
      {children}
    </figure>
  );
}

function Value({ children, swatch }: { children: ReactNode; swatch?: '1' | '2' }) {
  return (
    <>
      {swatch ? <span className={`swatch swatch-${swatch}`} aria-hidden="true" /> : null}
      {children}
    </>
  );
}
