/**
 * Plain types of catalog history: stored snapshots, a model across snapshots, and the diff of two
 * snapshots with the analysed features it touches. Computed in src/db, rendered in src/render.
 */
export interface SnapshotInfo {
  snapshot_id: number;
  source: string;
  origin: string | null;
  fetched_at: Date;
  snapshot_date: string;
  model_count: number;
  sha256: string;
}

export interface ModelHistoryEntry {
  snapshot_id: number;
  snapshot_date: string;
  source: string;
  /** False when the snapshot does not list the model. */
  present: boolean;
  prompt: number | null;
  completion: number | null;
  price_unknown: boolean | null;
  expiration_date: string | null;
}

export interface DiffModel {
  id: string;
  name: string;
  prompt: number;
  completion: number;
  price_unknown: boolean;
  context_length: number | null;
  expiration_date: string | null;
}

export type ImpactKind = 'removed' | 'expiring' | 'cheaper' | 'pricier';

export interface PriceChange {
  id: string;
  name: string;
  from: { prompt: number; completion: number };
  to: { prompt: number; completion: number };
  /** Relative change, e.g. -0.4 = 40% cheaper; null when the old price was 0. */
  prompt_change: number | null;
  completion_change: number | null;
}

export interface FeatureUsage {
  feature: string;
  /** The model name(s) as logged, comma-separated. */
  logged_model: string;
  catalog_id: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface FeatureImpact extends FeatureUsage {
  kind: ImpactKind;
  detail: string;
  /** Cost of the feature's logged tokens on this model at the old and the new base prices (USD). */
  cost_from: number | null;
  cost_to: number | null;
}

export interface CatalogDiff {
  from: SnapshotInfo;
  to: SnapshotInfo;
  added: DiffModel[];
  removed: DiffModel[];
  /** Models of `to` with an expiration date that is new or changed since `from`. */
  expiring: DiffModel[];
  price_changes: PriceChange[];
  impacts: FeatureImpact[];
  /** Models of this diff (new or cheaper) that would serve an analysed feature for less. */
  alternatives: FeatureAlternative[];
}

/** A price seen on the openrouter.ai/models web page (price-only history), USD per token. */
export interface PricePoint {
  date: string;
  prompt: number | null;
  completion: number | null;
}

/** A model that became available or cheaper and would serve a feature for less, at no lower score. */
export interface FeatureAlternative {
  feature: string;
  current_model: string;
  alternative: string;
  /** Cost of the feature's logged tokens on each model (USD, at the `to` snapshot's prices). */
  cost_current: number;
  cost_alternative: number;
  /** Relative saving, e.g. 0.4 = 40% cheaper. */
  saving: number;
  /** The capabilities compared (both models scored), with both scores. */
  compared: { capability: string; current: number; alternative: number }[];
  why: 'new' | 'cheaper';
}
