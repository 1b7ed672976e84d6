// TradingView's lightweight-charts, fed the REST candles once and each pushed candle after.
import { useEffect, useRef } from 'react';
import { CandlestickSeries, createChart, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { barOf, merged, type Bar, type Candle } from '../candles';

const toChart = (bar: Bar) => ({ ...bar, time: bar.time as UTCTimestamp });

export function CandleChart({ candles, latest }: { candles: Candle[]; latest: Candle | null }) {
  const box = useRef<HTMLDivElement>(null);
  const series = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const bars = useRef<Bar[]>([]);

  useEffect(() => {
    const chart = createChart(box.current!, { height: 360, autoSize: true,
      layout: { attributionLogo: false }, timeScale: { timeVisible: true } });
    series.current = chart.addSeries(CandlestickSeries, {});
    return () => {
      chart.remove();
      series.current = null;
    };
  }, []);

  useEffect(() => {
    bars.current = candles.map(barOf);
    series.current?.setData(bars.current.map(toChart));
    box.current!.dataset.candles = String(bars.current.length);
  }, [candles]);

  useEffect(() => {
    if (!latest || !series.current) return;
    const bar = barOf(latest);
    const next = merged(bars.current, bar);
    if (next === bars.current) return;
    bars.current = next;
    series.current.update(toChart(bar));
    box.current!.dataset.candles = String(next.length);
    box.current!.dataset.lastClose = latest.close;
  }, [latest]);

  return <div ref={box} className="chart" role="img" aria-label="Candlestick chart" data-candles="0" />;
}
