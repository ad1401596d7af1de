import { chmodSync, closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { PnyxError } from '../core/errors.js';

/**
 * Writes a report or export that may hold customer data: owner-only (0600) from its first byte,
 * written to a temp file beside it and renamed into place, so a reader never sees half a file
 * and an existing file with looser permissions is replaced, not reused.
 */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o600);
    chmodSync(tmp, 0o600); // the mode argument is filtered by the umask; make sure
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const why = code === 'ENOSPC' ? 'disk full' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied or read-only location' : code;
    throw new PnyxError('input', `cannot write ${path}: ${why}`, { cause: err });
  }
}
