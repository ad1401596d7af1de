/** The spinner text of a long ingest: records, rows/s, and a bytes-based ETA when the size is known. */
export function renderIngestProgress(p: { file: string; records: number; bytes: number; totalBytes: number }, elapsedMs: number): string {
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  let text = `reading ${p.file}: ${p.records.toLocaleString('en-US')} records, ${Math.round(p.records / secs).toLocaleString('en-US')}/s`;
  if (p.totalBytes > 0 && p.bytes > 0) {
    const done = Math.min(p.bytes / p.totalBytes, 1);
    const eta = done > 0 ? (secs / done) * (1 - done) : 0;
    text += `, ${Math.floor(done * 100)}%, ETA ${formatDuration(eta)}`;
  }
  return text;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
