/**
 * The shrink guard of `pnyx catalog sync`: a valid /models response that lists far fewer models
 * than the current snapshot is more likely partial (a filtered endpoint, a proxy returning one page,
 * an API change listing some providers) than a real catalog, and is not stored unless asked.
 */

/**
 * A new snapshot must list at least this share of the current snapshot's models.
 *
 * Why half, from the real snapshots in ../shared/datasets/openrouter_models:
 * - consecutive full listings never lost more than a quarter: API 2025-05-22 → 05-23: 319 → 321
 *   (+0.6%); 2025-05-23 → 2026-08-19: 321 → 414 (+29%, although only 90 ids in common); page
 *   scrapes 2025-03-25 → 2025-10-23 → 10-25: 364 → 553 → 554; the largest drop between any two
 *   consecutive dated listings is page 2025-10-25 → API 2026-08-19: 554 → 414 (0.75 after 10
 *   months). The default endpoint against `?output_modalities=all` on one day: 414 of 549 (0.75).
 * - partial listings fall far below: one provider is at most 94 of the 414 of 2026-08-19 (openai,
 *   0.23), `?supported_parameters=logprobs` 148 (0.36), one page of a paged list a fraction.
 * Half sits between the two with room on both sides. Milder filters (`tools`: 347 of 414, 0.84)
 * pass this ratio; the sync's warning about models the logs use that are gone covers those.
 */
export const MIN_KEPT_MODEL_SHARE = 0.5;

/** True when a new snapshot of `newCount` models lists fewer than half of the current `currentCount`. */
export function isSuspiciousShrink(currentCount: number, newCount: number): boolean {
  return newCount < currentCount * MIN_KEPT_MODEL_SHARE;
}

/** `a, b, c (+2 more)`: the first `max` names, then how many were left out. */
export function listWithMore(names: readonly string[], max: number): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} (+${names.length - max} more)` : shown;
}
