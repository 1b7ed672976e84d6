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
