// How numbers and ages are shown.
export function ageSeconds(asOf: string | null | undefined, nowMs: number): number | null {
  if (!asOf) return null;
  const at = Date.parse(asOf);
  return Number.isNaN(at) ? null : Math.max(0, (nowMs - at) / 1000);
}

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

/** Stale and fallback numbers are not current: the page marks them, never as live. */
export const isCurrent = (source: string): boolean => source === 'live' || source === 'stream' || source === 'cache';

/** A decimal string as the API sent it, without the trailing zeros Binance pads with: "0.10000000"
 * reads "0.1", "1000.00000000" reads "1000". Never through a float, so no digit changes. */
export function plain(decimal: string | number | null | undefined): string {
  if (decimal === null || decimal === undefined || decimal === '') return '—';
  const text = String(decimal);
  if (!/^-?\d+\.\d+$/.test(text)) return text;
  return text.replace(/\.?0+$/, '');
}

/** When an audit entry happened (seconds since the epoch) in ISO-8601 UTC, to the second. */
export function isoSeconds(epochS: number): string {
  return new Date(epochS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
