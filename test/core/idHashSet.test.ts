import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashIdPair, IdHashSet, type IdHasher } from '../../src/core/idHashSet.js';

describe('IdHashSet', () => {
  it('adds ids once and finds exactly the ids added', () => {
    const s = new IdHashSet();
    expect(s.has('req-1')).toBe(false);
    expect(s.add('req-1')).toBe(true);
    expect(s.add('req-2')).toBe(true);
    expect(s.add('req-1')).toBe(false);
    expect(s.has('req-1')).toBe(true);
    expect(s.has('req-2')).toBe(true);
    expect(s.has('req-3')).toBe(false);
    expect(s.has('')).toBe(false);
    expect(s.add('')).toBe(true);
    expect(s.has('')).toBe(true);
    expect(s.size).toBe(3);
  });

  it('keeps every id across several doublings', () => {
    const s = new IdHashSet();
    expect(s.capacity).toBe(1024);
    const n = 20_000;
    let added = 0;
    for (let i = 0; i < n; i++) if (s.add(`req_${i.toString(36)}`)) added += 1;
    expect(added).toBe(n);
    // 20,000 ids at most 3/4 full: 32,768 slots, five doublings from 1,024.
    expect(s.capacity).toBe(32_768);
    expect(s.size).toBe(n);
    let found = 0;
    let strangers = 0;
    for (let i = 0; i < n; i++) {
      if (s.has(`req_${i.toString(36)}`)) found += 1;
      if (s.has(`other_${i.toString(36)}`)) strangers += 1;
    }
    expect([found, strangers]).toEqual([n, 0]);
    for (let i = 0; i < n; i += 997) expect(s.add(`req_${i.toString(36)}`)).toBe(false);
    expect(s.size).toBe(n);
  });

  it('is sized up front for an expected count', () => {
    expect(new IdHashSet({ expected: 1_000_000 }).capacity).toBe(2_097_152);
    expect(new IdHashSet({ expected: 768 }).capacity).toBe(1024);
    expect(new IdHashSet({ expected: 769 }).capacity).toBe(2048);
  });

  it('takes an id whose fingerprint collides with one added for a repeat', () => {
    // 'b' and 'c' share a fingerprint; 'a' has its own.
    const hasher: IdHasher = (id, out) => out.set(id === 'a' ? [5, 6] : [5, 7]);
    const s = new IdHashSet({ hasher });
    expect(s.add('a')).toBe(true);
    expect(s.add('b')).toBe(true);
    expect(s.add('c')).toBe(false);
    expect(s.has('c')).toBe(true);
    expect(s.size).toBe(2);
  });

  it('probes past the end of the table to its start', () => {
    // Every id lands on the last of the 1,024 slots; their fingerprints differ by length.
    const s = new IdHashSet({ hasher: (id, out) => out.set([1023, id.length]) });
    const ids = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    expect(ids.map((id) => s.add(id))).toEqual([true, true, true, true, true]);
    expect(ids.map((id) => s.has(id))).toEqual([true, true, true, true, true]);
    expect(s.has('ffffff')).toBe(false);
    expect(s.add('xx')).toBe(false);
  });

  it('stores the fingerprint 0,0 (the empty-slot mark) as 0,1', () => {
    const hasher: IdHasher = (id, out) => out.set(id === 'zero' ? [0, 0] : id === 'one' ? [0, 1] : [0, 2]);
    const s = new IdHashSet({ hasher });
    expect(s.has('zero')).toBe(false);
    expect(s.add('zero')).toBe(true);
    expect(s.has('zero')).toBe(true);
    expect(s.add('one')).toBe(false);
    expect(s.has('two')).toBe(false);
    expect(s.add('two')).toBe(true);
  });

  it('agrees with a Set of the ids (no collisions among a few thousand real hashes)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 24 }), { maxLength: 3000 }), fc.array(fc.string({ maxLength: 24 }), { maxLength: 200 }), (adds, probes) => {
        const s = new IdHashSet();
        const ref = new Set<string>();
        for (const id of adds) {
          expect(s.add(id)).toBe(!ref.has(id));
          ref.add(id);
        }
        for (const id of probes) expect(s.has(id)).toBe(ref.has(id));
        expect(s.size).toBe(ref.size);
      }),
      { numRuns: 50 },
    );
  });
});

describe('hashIdPair', () => {
  it('gives two different 32-bit hashes, stable and sensitive to every character', () => {
    const h = (id: string) => {
      const out = new Uint32Array(2);
      hashIdPair(id, out);
      return [...out];
    };
    const [a, b] = h('req_msmgvbk28cad49c58d93');
    expect(a).not.toBe(b);
    expect(h('req_msmgvbk28cad49c58d93')).toEqual([a, b]);
    expect(h('req_msmgvbk28cad49c58d94')[0]).not.toBe(a);
    expect(h('req_msmgvbk28cad49c58d94')[1]).not.toBe(b);
    expect(h('Req_msmgvbk28cad49c58d93')[0]).not.toBe(a);
    // Distinct fingerprints for 100k sequential ids (a collision here would be a broken hash).
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(h(`req-${i}`).join(':'));
    expect(seen.size).toBe(100_000);
  });
});
