import { RecordError } from '../errors.js';
import { UNATTRIBUTED_FEATURE } from '../request.js';
import { firstPresent, getPath, isObject, optString, type JsonObject } from './fields.js';
import type { FieldMapping, MappingOverride } from './types.js';

/** Default places a feature name is logged, in order. */
export const DEFAULT_FEATURE_PATHS = [
  'feature',
  'metadata.feature',
  'request.metadata.feature',
  'metadata.feature_name',
  'metadata.tags',
  'tags',
  'request.metadata.tags',
  'headers.X-Title',
  'headers.x-title',
  'request.headers.X-Title',
  'metadata.x-title',
  'app',
  'app_name',
] as const;

export const DEFAULT_TENANT_PATHS = [
  'tenant_id',
  'tenant',
  'metadata.tenant_id',
  'metadata.tenant',
  'request.metadata.tenant_id',
  'customer_id',
  'metadata.customer_id',
  'org_id',
  'metadata.org_id',
] as const;

export const DEFAULT_USER_PATHS = [
  'user_id',
  'metadata.user_id',
  'request.metadata.user_id',
  'user',
  'request.user',
  'end_user',
] as const;

export const DEFAULT_MAPPING: FieldMapping = {
  feature: DEFAULT_FEATURE_PATHS,
  tenant: DEFAULT_TENANT_PATHS,
  user: DEFAULT_USER_PATHS,
};

/** Longest feature name kept; longer names are input errors. */
export const MAX_FEATURE_NAME = 200;

/**
 * Reads the feature name. Tags may be an array (`["feature:email", "prod"]` or `["email"]`)
 * or an object (`{feature: "email"}`): a `feature:`/`feature=` tag wins, else the first tag.
 * A path whose value names nothing (an empty tag list, an object without a feature) does not
 * stop the search: the next path is tried.
 */
export function resolveFeature(record: JsonObject, paths: readonly string[]): string {
  for (const path of paths) {
    const hit = firstPresent(record, [path]);
    if (!hit) continue;
    let v = hit.value;
    if (Array.isArray(v)) {
      // LiteLLM adds `User-Agent: ...` tags on its own; they never name a feature.
      const tags = v.filter((t): t is string => typeof t === 'string' && t.length > 0 && !/^user-agent:/i.test(t));
      const tagged = tags.find((t) => /^feature[:=]/i.test(t));
      v = tagged ? tagged.replace(/^feature[:=]/i, '') : tags[0];
      if (v === undefined) continue;
    } else if (isObject(v)) {
      v = getPath(v, 'feature') ?? getPath(v, 'name');
      if (v === undefined || v === null) continue;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new RecordError(hit.path, 'feature name must be a string');
    }
    const name = String(v).trim();
    if (name.length === 0) continue;
    if (name.length > MAX_FEATURE_NAME) throw new RecordError(hit.path, `feature name longer than ${MAX_FEATURE_NAME} characters`);
    return name;
  }
  return UNATTRIBUTED_FEATURE;
}

export function resolveAttribution(record: JsonObject, mapping: FieldMapping) {
  return {
    feature: resolveFeature(record, mapping.feature),
    tenant_id: optString(record, mapping.tenant),
    user_id: optString(record, mapping.user),
  };
}

/** The mapping in force for one adapter: its own defaults, then overrides (global, then per format). */
export function effectiveMapping(base: FieldMapping, ...overrides: (MappingOverride | undefined)[]): FieldMapping {
  let m: FieldMapping = base;
  for (const o of overrides) {
    if (!o) continue;
    m = { feature: o.feature ?? m.feature, tenant: o.tenant ?? m.tenant, user: o.user ?? m.user };
  }
  return m;
}
