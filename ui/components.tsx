/** What several pages draw: a uPlot chart, a requests/errors table, and number formats. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Json } from './live';

export function Chart(props: { title: string; series: { label: string; values: (number | null)[] }[]; x: number[]; bars?: boolean; unit?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const width = Math.max(300, el.current!.clientWidth || 600);
    const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];
    const opts: uPlot.Options = {
      title: props.title,
      width,
      height: 220,
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: colors[i % colors.length],
          fill: props.bars ? colors[i % colors.length] + '66' : undefined,
          paths: props.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          spanGaps: true,
          points: { show: true, size: 5 },
        })),
      ],
      axes: [{}, { label: props.unit }],
      scales: { x: { time: true } },
    };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current = new uPlot(opts, data, el.current!);
    return () => plot.current?.destroy();
  }, [props.title, props.series.length]);
  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData);
  });
  return <div class="chart" ref={el} data-chart={props.title} />;
}

export const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : n.toFixed(digits));
export const usd = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `$${n.toFixed(n < 1 ? 6 : 2)}`);

export function Groups(props: { title: string; rows: Json[] }) {
  return (
    <table class="groups" data-table={props.title}>
      <caption>{props.title}</caption>
      <thead>
        <tr>
          <th>name</th>
          <th>requests</th>
          <th>errors</th>
          <th>error rate</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.name}>
            <td>{r.name}</td>
            <td>{r.requests}</td>
            <td>{r.errors}</td>
            <td>{fmt(r.error_rate * 100)}%</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
