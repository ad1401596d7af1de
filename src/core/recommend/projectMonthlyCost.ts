/** Average days in a month (365.25 / 12). */
export const DAYS_PER_MONTH = 30.4375;
/** Windows shorter than this (in days; one hour) are too short to extrapolate a month from. */
export const MIN_WINDOW_DAYS = 1 / 24;

export interface SampleWindow {
  from: Date | null;
  to: Date | null;
}

export interface MonthlyCost {
  /** USD per month at the current routing; null when it cannot be extrapolated. */
  current: number | null;
  /** USD per month with the recommended routing. */
  projected: number | null;
  /** projected - current. */
  delta: number | null;
  /** (projected - current) / current. */
  delta_pct: number | null;
  /** How the sample was scaled: "sample × 1/rate × 30.44 / window days". */
  basis: string;
}

export function windowDays(w: SampleWindow): number | null {
  if (!w.from || !w.to) return null;
  const days = (w.to.getTime() - w.from.getTime()) / 86_400_000;
  return days >= MIN_WINDOW_DAYS ? days : null;
}

/**
 * Scales the cost of a sample to a month: the sample holds `sampleRate` of production traffic over
 * `window`; a month is DAYS_PER_MONTH days. Costs are USD of the sample (logged where present, else
 * catalog price × token mix, computed by the caller).
 */
export function projectMonthlyCost(input: {
  current_sample_usd: number | null;
  projected_sample_usd: number | null;
  window: SampleWindow;
  sample_rate: number;
}): MonthlyCost {
  const days = windowDays(input.window);
  if (days === null || !(input.sample_rate > 0)) {
    return {
      current: null,
      projected: null,
      delta: null,
      delta_pct: null,
      basis: days === null ? 'the logs have no time window of at least an hour: monthly cost not extrapolated' : 'invalid sample rate',
    };
  }
  const factor = DAYS_PER_MONTH / days / input.sample_rate;
  const current = input.current_sample_usd === null ? null : input.current_sample_usd * factor;
  const projected = input.projected_sample_usd === null ? null : input.projected_sample_usd * factor;
  const delta = current !== null && projected !== null ? projected - current : null;
  return {
    current,
    projected,
    delta,
    delta_pct: delta !== null && current !== null && current > 0 ? delta / current : null,
    basis: `sample cost × ${input.sample_rate === 1 ? '1' : `1/${Number(input.sample_rate.toPrecision(4))}`} (sample rate) × ${DAYS_PER_MONTH} / ${days.toFixed(2)} days (log window)`,
  };
}
