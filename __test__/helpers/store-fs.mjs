// File-system helpers for the EventStore suites: one fresh temp directory per scenario, and
// exact snapshots of a store directory to prove what a call did or did not change.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh directory removed when test `t` ends. */
export function tempDir(t, prefix = 'nl-store-') {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** File contents as a Buffer, or null when the file does not exist. */
export function readBytes(path) {
  return existsSync(path) ? readFileSync(path) : null
}

export function fileSize(path) {
  return existsSync(path) ? statSync(path).size : 0
}

/** `{ name: Buffer }` for every entry of `dir` (directories as the string '<dir>'), or null. */
export function snapshotDir(dir) {
  if (!existsSync(dir)) return null
  const out = {}
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    out[name] = statSync(p).isDirectory() ? '<dir>' : readFileSync(p)
  }
  return out
}

/** Non-empty lines of a file as strings (the file must exist). */
export function fileLines(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0)
}

export const storeFiles = (path) => ({
  events: join(path, 'events.ndjson'),
  index: join(path, 'index.json'),
  lock: join(path, '.lock'),
})
