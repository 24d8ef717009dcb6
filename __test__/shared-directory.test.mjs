// No acknowledged event is lost, whoever else touches the files: other instances and processes
// rewriting the store, the file or the directory removed or renamed under an open store,
// processes that still run the original on the same directory, writes cut short by the disk.
// Every scenario checks that each event whose call resolved is in events.ndjson exactly once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EventStore, PersistentLedger, createAppendLog } from '../index.js'
import { NATIVE_ENTRY, ORIGINAL_ENTRY } from './helpers/store-impl.mjs'
import { tempDir } from './helpers/store-fs.mjs'
import { Child, childrenDir } from './helpers/store-child.mjs'

const eventsOf = (dir) => join(dir, 'events.ndjson')
/** The parsed lines of a store's events file ([] when there is none). */
function onDisk(dir) {
  if (!existsSync(eventsOf(dir))) return []
  return readFileSync(eventsOf(dir), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
}
/** How many times each of `ids` (values of field `key`) is on disk; fails on a missing or doubled one. */
function assertEachOnce(dir, ids, key, what) {
  const counts = new Map()
  for (const e of onDisk(dir)) if (e[key] !== undefined) counts.set(e[key], (counts.get(e[key]) ?? 0) + 1)
  const missing = ids.filter((id) => !counts.has(id))
  const doubled = ids.filter((id) => counts.get(id) > 1)
  assert.deepEqual({ missing: missing.length, doubled: doubled.length }, { missing: 0, doubled: 0 }, `${what}: missing ${missing.slice(0, 5)}, doubled ${doubled.slice(0, 5)}`)
}
const ev = (id, ts = 1_700_000_000_000) => ({ eventId: id, taskId: 't', timestamp: ts })

test('appends under acquireLock() after another instance rewrote the file land in the file (60 rounds)', async (t) => {
  const dir = join(tempDir(t), 'store')
  for (let round = 0; round < 60; round++) {
    const x = new EventStore(dir)
    await x.append(ev(`before-${round}`))
    const y = new EventStore(dir)
    if (round % 2 === 0) await y.writeAll(onDisk(dir))
    else await y.compact(1e9 - 1 + (round % 3)) // nothing to evict: no rewrite...
    if (round % 2 === 1) await y.writeAll(onDisk(dir).reverse()) // ...so rewrite anyway
    await x.acquireLock()
    await x.append(ev(`held-${round}`))
    await x.releaseLock()
  }
  assertEachOnce(dir, Array.from({ length: 60 }, (_, r) => `held-${r}`), 'eventId', 'appends made under the lock')
})

test('appends under acquireLock() after another process rewrote the file land in the file (20 rounds)', async (t) => {
  const dir = join(tempDir(t), 'store')
  const x = new EventStore(dir)
  for (let round = 0; round < 20; round++) {
    await x.append(ev(`before-${round}`))
    const rewriter = new Child(t, 'compactor.mjs', [NATIVE_ENTRY, dir])
    await rewriter.expect('cycle')
    rewriter.send({ stop: true })
    await rewriter.expect('stopped')
    await rewriter.close()
    await x.acquireLock()
    await x.append(ev(`held-${round}`))
    await x.releaseLock()
  }
  assertEachOnce(dir, Array.from({ length: 20 }, (_, r) => `held-${r}`), 'eventId', 'appends made under the lock')
})

/** Events older than every event the mix appends, so that no compaction may evict a new one. */
function seedOld(dir, n) {
  mkdirSync(dir, { recursive: true })
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ eventId: `old-${i}`, taskId: 'old', timestamp: 1_600_000_000_000 + i }))
  writeFileSync(eventsOf(dir), lines.join('\n') + '\n')
}

test('five processes on one store: two appenders, a compacting ledger, compact() and read-modify-write loops (30 runs)', { timeout: 900_000 }, async (t) => {
  const PER = 2000
  for (let run = 0; run < 30; run++) {
    const dir = join(tempDir(t), `store-${run}`)
    seedOld(dir, 5000)
    const a = new Child(t, 'appender.mjs', [NATIVE_ENTRY, dir, PER, 'a'])
    const b = new Child(t, 'appender.mjs', [NATIVE_ENTRY, dir, PER, 'b'])
    // maxEvents leaves room for every new event: its compactions evict old ones only.
    const ledger = new Child(t, 'ledger-logger.mjs', [NATIVE_ENTRY, dir, PER, 'L', 20, 3 * PER + 1000])
    const compactor = new Child(t, 'compact-loop.mjs', [NATIVE_ENTRY, dir, 3 * PER])
    const rmw = new Child(t, 'compactor.mjs', [NATIVE_ENTRY, dir])
    await Promise.all([a.expect('ready'), b.expect('ready'), ledger.expect('ready'), compactor.expect('cycle'), rmw.expect('cycle')])
    for (const c of [a, b, ledger]) c.send({ go: true })
    await Promise.all([a.expect('done', 240_000), b.expect('done', 240_000), ledger.expect('done', 240_000)])
    compactor.send({ stop: true })
    rmw.send({ stop: true })
    await Promise.all([compactor.expect('stopped'), rmw.expect('stopped')])
    await Promise.all([a, b, ledger, compactor, rmw].map((c) => c.close()))
    const ids = (p) => Array.from({ length: PER }, (_, i) => `${p}-${i}`)
    assertEachOnce(dir, [...ids('a'), ...ids('b')], 'eventId', `run ${run}: the plain appenders' events`)
    assertEachOnce(dir, ids('L'), 'mark', `run ${run}: the ledger's events`)
  }
})

test('events.ndjson deleted, renamed or replaced, or the directory removed, under an open store', async (t) => {
  const root = tempDir(t)
  const dir = join(root, 'store')
  const store = new EventStore(dir)
  await store.append(ev('first'))

  rmSync(eventsOf(dir))
  await store.append(ev('after-delete'))
  assert.deepEqual(onDisk(dir).map((e) => e.eventId), ['after-delete'])

  renameSync(eventsOf(dir), `${eventsOf(dir)}.1`) // logrotate
  await store.append(ev('after-rename'))
  assert.deepEqual(onDisk(dir).map((e) => e.eventId), ['after-rename'])

  rmSync(dir, { recursive: true })
  await store.append(ev('after-rm-rf'))
  assert.deepEqual(onDisk(dir).map((e) => e.eventId), ['after-rm-rf'])

  rmSync(eventsOf(dir))
  mkdirSync(eventsOf(dir))
  await assert.rejects(store.append(ev('into-a-directory')), (err) => err.code === 'EISDIR')
  rmSync(eventsOf(dir), { recursive: true })
  await store.append(ev('after-the-directory'))
  assert.deepEqual(onDisk(dir).map((e) => e.eventId), ['after-the-directory'])
})

test('a ledger whose directory is removed while it logs: every accepted event is in the new file', async (t) => {
  const dir = join(tempDir(t), 'store')
  const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
  await ledger.init()
  const accepted = []
  for (let i = 0; i < 300; i++) {
    if (i === 100) rmSync(dir, { recursive: true, force: true })
    ledger.logEvent({ taskId: 't', timestamp: i, mark: `m-${i}` })
    if (i >= 100) accepted.push(`m-${i}`)
    if (i % 10 === 0) await new Promise(setImmediate)
  }
  await ledger.flush()
  assertEachOnce(dir, accepted, 'mark', 'events logged after rm -rf')
  await ledger.destroy()
})

/**
 * 3,000 awaited appends (ids `<prefix>-<i>`) by one process while another runs acquireLock,
 * compact(1e9), writeAll(readAll()), releaseLock in a loop; each side runs `entry` of its own.
 * Resolves to the rewriter's cycle count, once both are done.
 */
async function appendWhileRewriting(t, { appender: appenderEntry, rewriter: rewriterEntry, prefix }) {
  const dir = join(tempDir(t), 'store')
  seedOld(dir, 100)
  const rewriter = new Child(t, 'compactor.mjs', [rewriterEntry, dir])
  const appender = new Child(t, 'appender.mjs', [appenderEntry, dir, 3000, prefix])
  await Promise.all([rewriter.expect('cycle'), appender.expect('ready')])
  appender.send({ go: true })
  await appender.expect('done', 240_000)
  rewriter.send({ stop: true })
  const { cycles } = await rewriter.expect('stopped')
  await Promise.all([rewriter.close(), appender.close()])
  assert.ok(cycles > 10, `the rewriter ran (${cycles} cycles)`)
  return { dir, cycles }
}

test('with the original appending while native-ledger rewrites in a loop, at least 2,990 of 3,000 are kept', { timeout: 300_000 }, async (t) => {
  const { dir, cycles } = await appendWhileRewriting(t, { appender: ORIGINAL_ENTRY, rewriter: NATIVE_ENTRY, prefix: 'o' })
  const kept = new Set(onDisk(dir).map((e) => e.eventId).filter((id) => id.startsWith('o-')))
  t.diagnostic(`kept ${kept.size} of 3000 over ${cycles} rewrites`)
  assert.ok(kept.size >= 2990, `kept ${kept.size} of 3000`)
})

test('with native-ledger appending while the original rewrites in a loop, all 3,000 are kept', { timeout: 300_000 }, async (t) => {
  const { dir, cycles } = await appendWhileRewriting(t, { appender: NATIVE_ENTRY, rewriter: ORIGINAL_ENTRY, prefix: 'n' })
  t.diagnostic(`${cycles} rewrites by the original`)
  assertEachOnce(dir, Array.from({ length: 3000 }, (_, i) => `n-${i}`), 'eventId', 'native appends')
})

/** Runs `script` (an inline ES module) under `ulimit -S -f <blocks>` and returns its JSON answer. */
async function underFileLimit(blocks, script, args) {
  const child = spawn('bash', ['-c', `ulimit -S -f ${blocks} && exec "${process.execPath}" --input-type=module -e "$0" "$@"`, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const [code] = await once(child, 'exit')
  assert.equal(code, 0, `child failed: ${err}`)
  return JSON.parse(out)
}

test('a batch refused by the disk (EFBIG) leaves none of its events in the file', async (t) => {
  const dir = join(tempDir(t), 'store')
  const script = `
    import { PersistentLedger } from ${JSON.stringify(NATIVE_ENTRY)}
    const ledger = new PersistentLedger({ storagePath: process.argv[1], compactIntervalMs: 0 })
    await ledger.init()
    const batch = (b) => Array.from({ length: 100 }, (_, i) => ({ taskId: 't', timestamp: i, mark: b + '-' + i, pad: 'x'.repeat(200) }))
    let error = null, batches = 0
    for (; batches < 100; batches++) {
      try { ledger.importEvents(batch(batches)) } catch (e) { error = { code: e.code, message: e.message }; break }
    }
    console.log(JSON.stringify({ error, batches, inMemory: ledger.eventCount }))`
  const r = await underFileLimit(64, script, [dir])
  assert.equal(r.error?.code, 'EFBIG', JSON.stringify(r))
  const marks = onDisk(dir).map((e) => e.mark)
  assert.equal(marks.length, r.batches * 100, 'whole accepted batches only')
  assert.equal(marks.filter((m) => m.startsWith(`${r.batches}-`)).length, 0, 'nothing of the refused batch')
  assert.equal(r.inMemory, r.batches * 100)
})

test('an AppendLog append refused by the disk (EFBIG) leaves no entry and uses no seq', async (t) => {
  const file = join(tempDir(t), 'log.jsonl')
  const script = `
    import { createAppendLog } from ${JSON.stringify(NATIVE_ENTRY)}
    const log = createAppendLog(process.argv[1])
    const batch = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(200) }))
    let error = null, lastSeq = 0
    for (let b = 0; b < 100; b++) {
      try { lastSeq = (await log.append(batch)).lastSeq } catch (e) { error = { message: e.message }; break }
    }
    await log.close()
    console.log(JSON.stringify({ error, lastSeq }))`
  const r = await underFileLimit(64, script, [file])
  assert.match(r.error?.message ?? '', /File too large|EFBIG/, JSON.stringify(r))
  const log = createAppendLog(file)
  const entries = await log.read({ sinceSeq: 0 })
  assert.equal(entries.length, r.lastSeq, 'exactly the acknowledged entries')
  assert.equal((await log.append([{ after: true }])).lastSeq, r.lastSeq + 1, 'the refused entries took no seq')
  await log.close()
})

test('compactIntervalMs a timer cannot do is refused; Infinity means no timer', async (t) => {
  const storagePath = join(tempDir(t), 'store')
  for (const bad of [2 ** 31, 1e12, -1]) {
    assert.throws(() => new PersistentLedger({ storagePath, compactIntervalMs: bad }), (err) => err instanceof RangeError && /compactIntervalMs/.test(err.message), String(bad))
  }
  const ledger = new PersistentLedger({ storagePath, compactIntervalMs: Infinity, maxEvents: 1 })
  let compactions = 0
  ledger.compact = async () => void compactions++
  await ledger.init()
  // A timer clamped to 1 ms would have run many times by now.
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(compactions, 0)
  await ledger.destroy()
})
