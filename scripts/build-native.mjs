#!/usr/bin/env node
/**
 * The package's install script: builds the native classifier kernel (native/classifier.c, see
 * binding.gyp) into build/Release/pnyx_native.node with node-gyp, offline (headers from
 * `npm config get nodedir` or node-gyp's cache). Installing never fails because of it: on any
 * failure this prints one line and exits 0, and pnyx runs its JavaScript classifier
 * (src/core/classifier/native.ts falls back when the file is missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** node-gyp as [command, ...args]: the one npm runs scripts with, on PATH, or npm's bundled copy. */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const onPath = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['node-gyp'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return [onPath.stdout.trim().split(/\r?\n/)[0]];
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  return null;
}

function build() {
  if (process.env.PNYX_NATIVE === '0') return 'PNYX_NATIVE=0';
  const gyp = nodeGyp();
  if (!gyp) return 'node-gyp not found';
  const [cmd, ...args] = gyp;
  // npm passes its nodedir setting as npm_config_nodedir, which node-gyp reads. Without one, the
  // headers installed next to this node (PREFIX/include/node) spare node-gyp a download.
  const prefix = join(dirname(process.execPath), '..');
  const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'));
  const r = spawnSync(cmd, [...args, 'rebuild', ...(localHeaders ? [`--nodedir=${prefix}`] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) return `node-gyp did not run: ${r.error.message}`;
  if (r.status !== 0) {
    // The first compiler error or node-gyp's error message, as the reason.
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim());
    const why = lines.find((l) => /\berror\b:/.test(l) || /^gyp ERR! stack \w*Error/.test(l)) ?? lines.find((l) => l.startsWith('gyp ERR!'));
    return `node-gyp failed${why ? `: ${why.replace(/^gyp ERR! stack /, '').slice(0, 160)}` : ` with exit code ${r.status}`}`;
  }
  if (!existsSync(join(ROOT, 'build', 'Release', 'pnyx_native.node'))) return 'node-gyp built no build/Release/pnyx_native.node';
  return null;
}

let reason;
try {
  reason = build();
} catch (err) {
  reason = err instanceof Error ? err.message : String(err);
}
if (reason) process.stdout.write(`pnyx: native classifier not built (${reason}); using the JavaScript one\n`);
