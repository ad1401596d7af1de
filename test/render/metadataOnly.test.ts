import { describe, expect, it } from 'vitest';
import { metadataOnlyMarker, renderMetadataOnlyNote } from '../../src/render/summaryTable.js';

describe('metadata-only marker and note', () => {
  it('marks a feature by how much of its traffic lacks prompt text', () => {
    expect(metadataOnlyMarker({ requests: 10, metadata_only: 0 })).toBe('');
    expect(metadataOnlyMarker({ requests: 10, metadata_only: 10 })).toBe('\n(metadata-only, lower confidence)');
    expect(metadataOnlyMarker({ requests: 8, metadata_only: 5 })).toBe('\n(63% metadata-only, lower confidence)');
  });

  it('says once per tool how to export bodies, and nothing when every request has text', () => {
    expect(renderMetadataOnlyNote([], 10)).toBe('');
    const note = renderMetadataOnlyNote([{ source_format: 'litellm', requests: 30 }, { source_format: 'helicone', requests: 4 }, { source_format: 'openai', requests: 1 }], 120);
    const lines = note.split('\n');
    expect(lines[0]).toBe('35 of 120 requests have no prompt text (metadata-only, lower confidence): they are profiled from token counts, latency, cost, finish reasons and tool/response-format flags only.');
    expect(lines.slice(1).map((l) => l.slice(0, l.indexOf(':')))).toEqual(['For a full analysis (litellm)', 'For a full analysis (helicone)', 'For a full analysis (openai)']);
    expect(lines[1]).toContain('store_prompts_in_spend_logs: true');
    expect(lines[2]).toContain('--include-body');
    expect(lines[3]).toContain('--join');
  });
});
