// The parity harness: a scenario runs once on the original and once on the implementation under
// test, each in its own fresh directory, and must give deep-equal results, a byte-identical
// events.ndjson, the same other files, and (where the original's index is itself right) the same
// four index.json fields. index.json is a cache that native-ledger may write a moment after a
// call resolves, so it is read only after `await store.getStats()` on the scenario's instance.
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadOriginal } from './original.mjs'
import { loadStoreUnderTest, UNDER_TEST } from './store-impl.mjs'
import { fileSize, readBytes, storeFiles, tempDir } from './store-fs.mjs'

export const Original = (await loadOriginal()).persistence.EventStore
export const UnderTest = (await loadStoreUnderTest()).EventStore
export { UNDER_TEST }

export const LOCKED = 'Storage is locked by another process'

const INDEX_FIELDS = ['eventCount', 'oldestTimestamp', 'newestTimestamp', 'taskIds']

/** `{ ok, value }` or `{ ok: false, name, locked }`: comparable across implementations. */
export async function attempt(fn) {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    return { ok: false, name: err?.name, locked: String(err?.message).startsWith(LOCKED) }
  }
}

/** getStats without storageSizeBytes (whose index.json share may differ), plus a sanity check. */
export async function stats(store, path) {
  const { storageSizeBytes, ...rest } = await store.getStats()
  const events = fileSize(storeFiles(path).events)
  return { ...rest, sizeAtLeastEventsFile: storageSizeBytes >= events && Number.isInteger(storageSizeBytes) }
}

/** The shape of `.lock`, not its values (holder and timestamp differ run to run). */
export function lockShape(path) {
  const file = storeFiles(path).lock
  if (!existsSync(file)) return null
  const lock = JSON.parse(readFileSync(file, 'utf8'))
  return {
    keys: Object.keys(lock),
    holderIsString: typeof lock.holder === 'string' && lock.holder.length > 0,
    pidIsThisProcess: lock.pid === process.pid,
    timestampIsRecent: typeof lock.timestamp === 'number' && Math.abs(Date.now() - lock.timestamp) < 60_000,
  }
}

function indexFields(path) {
  const file = storeFiles(path).index
  if (!existsSync(file)) return null
  const index = JSON.parse(readFileSync(file, 'utf8'))
  return Object.fromEntries(INDEX_FIELDS.map((k) => [k, index[k]]))
}

function listing(path) {
  // index.json is compared by fields, not by presence: it is a cache native-ledger may keep.
  return existsSync(path) ? readdirSync(path).filter((n) => n !== 'index.json').sort() : null
}

async function runSide(t, EventStore, scenario, opts) {
  const dir = tempDir(t)
  const path = join(dir, ...(opts.sub ?? ['store']))
  if (opts.setup) await opts.setup(path)
  const store = new EventStore(path)
  const result = await scenario({ EventStore, store, path, dir, stats: (s = store) => stats(s, path) })
  await store.getStats() // lets a cache written after the last call settle
  const index = indexFields(path)
  const fresh = new EventStore(path)
  const freshStats = await fresh.getStats()
  const files = storeFiles(path)
  return {
    path,
    result,
    exists: existsSync(path),
    events: readBytes(files.events),
    listing: listing(path),
    index,
    freshStats,
    readAll: await new EventStore(path).readAll(),
    sizes: { events: fileSize(files.events), index: fileSize(files.index) },
  }
}

function assertSameBytes(actual, expected, what) {
  if (expected === null || actual === null) {
    assert.equal(actual === null ? null : 'present', expected === null ? null : 'present', `${what}: existence`)
    return
  }
  if (Buffer.compare(actual, expected) === 0) return
  const a = actual.toString('utf8').split('\n')
  const e = expected.toString('utf8').split('\n')
  let i = 0
  while (i < Math.max(a.length, e.length) && a[i] === e[i]) i++
  const cut = (s) => (s === undefined ? '<no line>' : s.length > 300 ? s.slice(0, 300) + '…' : s)
  assert.fail(
    `${what} differs from the original's (${actual.length} vs ${expected.length} bytes), first at line ${i + 1}:\n` +
      `  actual:   ${JSON.stringify(cut(a[i]))}\n  expected: ${JSON.stringify(cut(e[i]))}`,
  )
}

/**
 * Runs `scenario` on both sides and asserts parity. Options:
 *   setup(path)   prepares the same hand-made files on both sides
 *   sub           path segments of the store below the temp dir (default ['store'])
 *   indexParity   false where the original's own index is wrong (files written behind its back),
 *                 which native-ledger must not copy; stats are then checked against the file
 *   todo          a known failure of the implementation under test (see knownFailure)
 */
export async function checkParity(t, scenario, opts = {}) {
  const original = await runSide(t, Original, scenario, opts)
  const actual = await runSide(t, UnderTest, scenario, opts)
  const todo = opts.todo ?? false
  await t.test('same results and files as the original', { todo }, () => assertParity(original, actual, opts))
  await t.test('stats and index.json true to the events file', { todo }, () => assertStatsTrue(actual))
  return { original, actual }
}

function assertParity(original, actual, opts) {
  assert.deepStrictEqual(actual.result, original.result, 'scenario results differ from the original')
  assert.equal(actual.exists, original.exists, 'store directory existence differs')
  assertSameBytes(actual.events, original.events, 'events.ndjson')
  assert.deepStrictEqual(actual.listing, original.listing, 'files in the store directory differ')
  assert.deepStrictEqual(actual.readAll, original.readAll, 'readAll of a fresh instance differs')
  if (original.index !== null && opts.indexParity !== false) {
    assert.deepStrictEqual(actual.index, original.index, "index.json's original fields differ")
    const { storageSizeBytes: _a, ...a } = actual.freshStats
    const { storageSizeBytes: _o, ...o } = original.freshStats
    assert.deepStrictEqual(a, o, 'getStats of a fresh instance differs')
  }
}

/** Stats and index.json of the side under test agree with its events file. */
function assertStatsTrue(side) {
  const { freshStats, readAll, sizes, index } = side
  assert.equal(freshStats.storageSizeBytes, sizes.events + sizes.index, 'storageSizeBytes is not events file + index file')
  assert.equal(freshStats.eventCount, readAll.length, 'getStats().eventCount is not the number of events in the file')
  if (index) assert.equal(index.eventCount, readAll.length, 'index.json eventCount is not the number of events in the file')
  const ts = readAll.map((e) => e?.timestamp)
  if (ts.every((x) => typeof x === 'number' && !Object.is(x, -0))) {
    const oldest = ts.length ? ts.reduce((m, x) => (x < m ? x : m)) : null
    const newest = ts.length ? ts.reduce((m, x) => (x > m ? x : m)) : null
    assert.deepStrictEqual([freshStats.oldestEvent, freshStats.newestEvent], [oldest, newest], 'oldest/newest in getStats')
    if (index) assert.deepStrictEqual([index.oldestTimestamp, index.newestTimestamp], [oldest, newest], 'oldest/newest in index.json')
  }
  const taskIds = readAll.map((e) => e?.taskId)
  if (index && taskIds.every((x) => typeof x === 'string')) {
    assert.deepStrictEqual([...index.taskIds].sort(), [...new Set(taskIds)].sort(), 'index.json taskIds')
  }
}
