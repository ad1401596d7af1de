import type { CanonicalRequest } from '../request.js';
import type { JsonObject } from './fields.js';

/** Where to find the attribution fields in a raw record (dotted paths, first present wins). */
export interface FieldMapping {
  feature: readonly string[];
  tenant: readonly string[];
  user: readonly string[];
}

/** User overrides of a mapping (flags, config file): each given list replaces the adapter's default. */
export type MappingOverride = Partial<FieldMapping>;

export interface AdapterContext {
  mapping: FieldMapping;
  /** Used as request_id when the record has none: a hash of the record's content. */
  contentHash: string;
}

/** A log format: recognises its records and maps them onto the canonical request. */
export interface LogAdapter {
  readonly name: string;
  readonly description: string;
  /**
   * Where this format logs feature, tenant and user when the user does not say
   * (`--feature-field`, config `ingest.fields` / `ingest.formats.<name>`). Absent: the generic defaults.
   */
  readonly defaultMapping?: FieldMapping;
  /** For formats that may lack prompt bodies: how a user exports them for a full analysis. */
  readonly bodiesHint?: string;
  /** True when the record has this format's distinctive fields. */
  detect(record: JsonObject): boolean;
  /** Throws RecordError naming the field when the record cannot be read. */
  normalize(record: JsonObject, ctx: AdapterContext): CanonicalRequest;
}
