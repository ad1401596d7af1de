/**
 * How much to trust a verdict: a Wilson score interval on the share of requests that drives it,
 * compared with the verdict's threshold, lowered for small samples and for metadata-only traffic.
 */
export const WILSON_Z = 1.96;
/** Fewer requests than this in a feature: confidence is low whatever the interval says. */
export const MIN_CONFIDENT_REQUESTS = 50;
/** From this share of metadata-only requests (no prompt text), confidence drops one level. */
export const METADATA_ONLY_SHARE_LOWERS = 0.5;

export type ConfidenceLevel = 'high' | 'medium' | 'low';

export interface Confidence {
  level: ConfidenceLevel;
  /** The share the verdict rests on, its 95% Wilson interval, and the threshold it was compared with. */
  share: number;
  interval: [number, number];
  threshold: number;
  /** 'above' when the verdict needs share >= threshold, 'below' when it needs share < threshold. */
  direction: 'above' | 'below';
  requests: number;
  metadata_only: boolean;
  basis: string;
}

export function wilsonInterval(successes: number, n: number, z = WILSON_Z): [number, number] {
  if (n <= 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const LOWER: Record<ConfidenceLevel, ConfidenceLevel> = { high: 'medium', medium: 'low', low: 'low' };

export function verdictConfidence(input: {
  share: number;
  requests: number;
  threshold: number;
  direction: 'above' | 'below';
  label: string;
  metadataOnlyShare: number;
}): Confidence {
  const { share, requests, threshold, direction } = input;
  const interval = wilsonInterval(Math.round(share * requests), requests);
  const clear = direction === 'above' ? interval[0] >= threshold : interval[1] < threshold;
  let level: ConfidenceLevel = requests < MIN_CONFIDENT_REQUESTS ? 'low' : clear ? 'high' : 'medium';
  const metadataOnly = input.metadataOnlyShare >= METADATA_ONLY_SHARE_LOWERS;
  if (metadataOnly) level = LOWER[level];
  const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;
  let basis = `${input.label} ${pct(share)} (95% CI ${pct(interval[0])}–${pct(interval[1])}, n=${requests}) vs threshold ${pct(threshold)}`;
  if (requests < MIN_CONFIDENT_REQUESTS) basis += `; fewer than ${MIN_CONFIDENT_REQUESTS} requests`;
  if (metadataOnly) basis += '; metadata-only, lower confidence';
  return { level, share, interval, threshold, direction, requests, metadata_only: metadataOnly, basis };
}
