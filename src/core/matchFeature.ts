import { PnyxError } from './errors.js';

/**
 * Resolves a `--feature` argument against the known feature names: an exact name, else the one
 * name it is a prefix of, else the one name containing it (case-insensitive). Ambiguous or
 * unknown names are usage errors that list the candidates.
 */
export function matchFeature(query: string, features: readonly string[]): string {
  if (features.includes(query)) return query;
  const q = query.toLowerCase();
  for (const pick of [(f: string) => f.toLowerCase().startsWith(q), (f: string) => f.toLowerCase().includes(q)]) {
    const hits = features.filter(pick);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new PnyxError('usage', `--feature ${query} is ambiguous: ${hits.sort().join(', ')}`);
  }
  throw new PnyxError('not_found', `no feature matches ${query}; known features: ${[...features].sort().join(', ') || '(none)'}`);
}
