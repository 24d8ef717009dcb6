// PersistentLedger against the original's, call for call, each in its own directory: the same
// in-memory events, the same events.ndjson bytes, the same index.json (ours adds one field), the
// same return values. The original persists logEvent and importEvents in the background (fire
// and forget), so its files are awaited until they hold what the calls wrote. Event ids that
// logEvent makes up are random on both sides: they are mapped, not compared.
//
// Deliberate differences, asserted as such at the end: with enableWAL: false importEvents does
// not write (the original writes imports regardless); finalizeEvent persists with enableWAL
// (the original never writes it); an unserializable event is refused with a TypeError (the
// original keeps it in memory and silently fails to write it); getStorageStats().storageSizeBytes
// counts index.json's extra field.
import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as oursModule from '../index.js'
import { loadOriginal } from './helpers/original.mjs'
import { makeEvent, makeEvents } from './helpers/events.mjs'
import { freezeClock, realDateNow } from './helpers/clock.mjs'

const { persistence: original, ledger: originalLedger } = await loadOriginal()
const impls = { original: { ...original, RunLedger: originalLedger.RunLedger }, ours: oursModule }

const root = mkdtempSync(join(tmpdir(), 'pl-parity-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0
const newDir = (name) => join(root, `${++dirs}-${name}`)


const eventsPath = (dir) => join(dir, 'events.ndjson')
const indexPath = (dir) => join(dir, 'index.json')
const text = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null)
const size = (file) => (existsSync(file) ? statSync(file).size : 0)
const lineCount = (dir) => (text(eventsPath(dir)) ?? '').split('\n').length - 1
const files = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : null)
const linesOf = (events) => events.map((e) => JSON.stringify(e) + '\n').join('')
const FOUR = ['eventCount', 'oldestTimestamp', 'newestTimestamp', 'taskIds']

function readIndex(dir) {
  try {
    return JSON.parse(text(indexPath(dir)))
  } catch {
    return null // absent, or being rewritten by the original right now
  }
}
const pick = (obj, keys) => Object.fromEntries(keys.map((k) => [k, obj[k]]))

/** Equal values and equal key order. */
function same(actual, expected, message) {
  assert.deepStrictEqual(actual, expected, message)
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), message)
}

/** Polls `cond` until it holds; fails with `what` after the deadline. */
async function waitFor(cond, what, timeoutMs = 15_000) {
  const deadline = realDateNow() + timeoutMs
  while (!cond()) {
    if (realDateNow() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** The original's background writes of `n` events are done: file and index both hold them. */
const originalSettled = (dir, n) =>
  waitFor(() => lineCount(dir) === n && readIndex(dir)?.eventCount === n, `the original to write ${n} events to ${dir}`)

/**
 * Ours writes index.json shortly after appends; getStorageStats() brings it up to date at once.
 * Then it must be the original's index text with one more field, `ndjsonBytes`.
 */
async function assertIndexes(dirs, message) {
  await dirs.ledgers.ours.getStorageStats()
  const theirs = readIndex(dirs.original)
  const ours = readIndex(dirs.ours)
  same(pick(ours, FOUR), pick(theirs, FOUR), `${message}: index.json`)
  assert.equal(
    text(indexPath(dirs.ours)),
    JSON.stringify({ ...theirs, ndjsonBytes: size(eventsPath(dirs.ours)) }, null, 2),
    `${message}: index.json is the original's plus ndjsonBytes`,
  )
}

/** One ledger per implementation, each in a new directory. */
function pair(name, config = {}) {
  const out = { ledgers: {} }
  for (const [impl, mod] of Object.entries(impls)) {
    out[impl] = newDir(`${name}-${impl}`)
    out.ledgers[impl] = new mod.PersistentLedger({ compactIntervalMs: 0, ...config, storagePath: out[impl] })
  }
  return out
}

/** Runs `fn(ledger, impl)` on both ledgers, original first; returns { original, ours }. */
async function onBoth(p, fn) {
  return { original: await fn(p.ledgers.original, 'original'), ours: await fn(p.ledgers.ours, 'ours') }
}

/** Events of all kinds of JSON: floats, -0, unicode, escapes, nesting, odd key orders. */
function oddEvents() {
  return [
    { ...makeEvent(1000, { fractionalRework: true }), timestamp: 1_700_000_000_000.5, note: 'ü \u2028 "quoted" \\ \u0007 😀' },
    { timestamp: 1_700_000_001_000, taskId: 'task-odd', 10: 'numeric key first', zeta: -0, alpha: [0.1 + 0.2, 1e21, 5e-324] },
    { ...makeEvent(1001), nested: { deep: { deeper: [null, true, { x: 2 ** 53 + 2 }] } } },
  ]
}

describe('init() and load()', () => {
  test('init() loads what is on disk, blank, malformed and unterminated lines included, and is idempotent', async () => {
    const p = pair('init')
    const events = makeEvents(20, 2)
    const content =
      linesOf(events.slice(0, 10)) +
      '\n   \nnot json\n{"taskId":"spaced" ,  "timestamp": 5 }  \n' +
      linesOf(events.slice(10, 19)) +
      JSON.stringify(events[19]) // no final newline
    for (const impl of ['original', 'ours']) {
      mkdirSync(p[impl], { recursive: true })
      writeFileSync(eventsPath(p[impl]), content)
    }
    await onBoth(p, (l) => l.init())
    const loaded = await onBoth(p, (l) => l.getEvents())
    assert.equal(loaded.ours.length, 21)
    same(loaded.ours, loaded.original)
    same(files(p.ours), files(p.original), 'init() writes nothing')

    // A second init() does not load again; load() does.
    const extra = makeEvent(50, { seed: 3 })
    for (const impl of ['original', 'ours']) writeFileSync(eventsPath(p[impl]), '\n' + JSON.stringify(extra) + '\n', { flag: 'a' })
    await onBoth(p, (l) => l.init())
    same(await onBoth(p, (l) => l.getEvents()), { original: loaded.original, ours: loaded.original })
    await onBoth(p, (l) => l.load())
    const reloaded = await onBoth(p, (l) => l.getEvents())
    assert.equal(reloaded.ours.length, 22)
    same(reloaded.ours, reloaded.original)
    same(reloaded.ours.at(-1), extra)
  })

  test('init() of a directory that does not exist: no events, nothing created', async () => {
    const p = pair('missing')
    await onBoth(p, (l) => l.init())
    same(await onBoth(p, (l) => l.getEvents()), { original: [], ours: [] })
    assert.equal(existsSync(p.ours), existsSync(p.original))
    same(
      await onBoth(p, (l) => l.getStorageStats()),
      await onBoth(p, () => ({ eventCount: 0, storageSizeBytes: 0, oldestEvent: null, newestEvent: null })),
    )
  })
})

describe('the same calls leave the same files', () => {
  test('logEvent: the same lines, byte for byte once event ids are mapped', async () => {
    const p = pair('log')
    await onBoth(p, (l) => l.init())
    const inputs = [...makeEvents(8, 4, { eventId: false }), ...makeEvents(4, 5), ...oddEvents()]
    const returned = { original: [], ours: [] }
    for (const [i, input] of inputs.entries()) {
      returned.original.push(p.ledgers.original.logEvent(input))
      // One at a time: the original's background writes could otherwise land in any order.
      await waitFor(() => lineCount(p.original) === i + 1, `the original's line ${i + 1}`)
      returned.ours.push(p.ledgers.ours.logEvent(input))
      assert.equal(lineCount(p.ours), i + 1, 'ours is on disk when logEvent returns')
    }
    for (const impl of ['original', 'ours']) assert.equal(text(eventsPath(p[impl])), linesOf(returned[impl]), impl)
    let mapped = text(eventsPath(p.ours))
    for (const [i, e] of returned.ours.entries()) mapped = mapped.replace(e.eventId, returned.original[i].eventId)
    assert.equal(mapped, text(eventsPath(p.original)))
  })

  test('importEvents, getStorageStats, save, compact, getEventStore, destroy', async () => {
    const p = pair('full', { maxEvents: 25 })
    await onBoth(p, (l) => l.init())
    const events = [...makeEvents(57, 9, { fractionalRework: true }), ...oddEvents()]
    assert.equal(events.length, 60)

    // importEvents: ours is on disk when the call returns, the original later.
    await onBoth(p, (l) => l.importEvents(events))
    assert.equal(text(eventsPath(p.ours)), linesOf(events))
    await originalSettled(p.original, 60)
    assert.equal(text(eventsPath(p.ours)), text(eventsPath(p.original)))
    await assertIndexes(p, 'after importEvents')
    const stats = await onBoth(p, (l) => l.getStorageStats())
    same(pick(stats.ours, ['eventCount', 'oldestEvent', 'newestEvent']), pick(stats.original, ['eventCount', 'oldestEvent', 'newestEvent']))
    for (const impl of ['original', 'ours']) {
      assert.equal(stats[impl].storageSizeBytes, size(eventsPath(p[impl])) + size(indexPath(p[impl])), `${impl}: storageSizeBytes`)
    }

    // save(): an atomic rewrite of what is in memory; no lock or temp file left behind.
    await onBoth(p, (l) => l.save())
    assert.equal(text(eventsPath(p.ours)), text(eventsPath(p.original)))
    await assertIndexes(p, 'after save')
    same(files(p.ours), ['events.ndjson', 'index.json'])
    same(files(p.original), ['events.ndjson', 'index.json'])

    // compact(): keeps the 25 newest by timestamp (ties and out-of-order ones included).
    same(await onBoth(p, (l) => l.compact()), { original: 35, ours: 35 })
    assert.equal(text(eventsPath(p.ours)), text(eventsPath(p.original)))
    const compacted = await onBoth(p, (l) => l.getEvents())
    assert.equal(compacted.ours.length, 25)
    same(compacted.ours, compacted.original)
    await assertIndexes(p, 'after compact')
    const after = await onBoth(p, (l) => l.getStorageStats())
    same(pick(after.ours, ['eventCount', 'oldestEvent', 'newestEvent']), pick(after.original, ['eventCount', 'oldestEvent', 'newestEvent']))
    assert.equal(after.ours.storageSizeBytes - after.original.storageSizeBytes, size(indexPath(p.ours)) - size(indexPath(p.original)))

    const bytes = text(eventsPath(p.ours))
    same(await onBoth(p, (l) => l.compact()), { original: 0, ours: 0 })
    assert.equal(text(eventsPath(p.ours)), bytes, 'nothing to evict: no rewrite')

    // getEventStore(): the ledger's own store, the same object each time.
    for (const [impl, mod] of Object.entries(impls)) {
      const ledger = p.ledgers[impl]
      assert.equal(ledger.getEventStore(), ledger.getEventStore())
      assert.ok(ledger.getEventStore() instanceof mod.EventStore, impl)
      same(await ledger.getEventStore().readAll(), ledger.getEvents(), impl)
    }

    // destroy(): the files stay.
    same(await onBoth(p, (l) => l.destroy()), { original: undefined, ours: undefined })
    same(files(p.ours), ['events.ndjson', 'index.json'])
    same(files(p.original), ['events.ndjson', 'index.json'])
    assert.equal(text(eventsPath(p.ours)), bytes)
    assert.equal(text(eventsPath(p.original)), bytes)
  })

  test('enableWAL: false: createEvent, finalizeEvent and logEvent write nothing; save() writes the same file', async () => {
    const p = pair('nowal', { enableWAL: false })
    await onBoth(p, (l) => l.init())
    freezeClock(1_700_000_500_000)
    const returned = await onBoth(p, (l) => {
      const out = []
      for (let i = 0; i < 10; i++) {
        const e = l.createEvent(`task-${i % 3}`, 'feature', 'hash-x')
        e.eventId = `evt-${i}` // createEvent's id is random: give both the same one
        e.toolsUsed.push('Edit', i % 2 ? 'Bash: npm test' : 'Read')
        e.timestamp -= (i * 7919) % 5000
        out.push(l.finalizeEvent(e))
        if (i % 3 === 0) out.push(l.logEvent(makeEvent(i, { eventId: false, seed: 8 })))
      }
      return out
    })
    same(returned.ours.map((e) => e.durationMs), returned.original.map((e) => e.durationMs))
    assert.equal(files(p.ours), null, 'ours wrote nothing')
    assert.equal(files(p.original), null, 'the original wrote nothing')
    await onBoth(p, (l) => l.save())
    let mapped = text(eventsPath(p.ours))
    for (const [i, e] of returned.ours.entries()) {
      if (!e.eventId.startsWith('evt-')) mapped = mapped.replace(e.eventId, returned.original[i].eventId)
    }
    assert.equal(mapped, text(eventsPath(p.original)))
    await assertIndexes(p, 'after save')
  })
})

describe('across the two implementations', () => {
  test('exportEvents of one, importEvents into the other: the same files', async () => {
    // Original → ours.
    const a = pair('export-a', { enableWAL: false })
    const logged = makeEvents(15, 12, { eventId: false }).map((e) => a.ledgers.original.logEvent(e))
    await a.ledgers.original.save()
    const exported = a.ledgers.original.exportEvents()
    same(exported, logged)
    a.ledgers.ours = new oursModule.PersistentLedger({ storagePath: a.ours, compactIntervalMs: 0 })
    a.ledgers.ours.importEvents(exported)
    assert.equal(text(eventsPath(a.ours)), text(eventsPath(a.original)))
    same(a.ledgers.ours.getEvents(), exported)

    // Ours → original.
    const b = pair('export-b')
    for (const e of makeEvents(15, 13, { eventId: false })) b.ledgers.ours.logEvent(e)
    await b.ledgers.ours.flush()
    b.ledgers.original.importEvents(b.ledgers.ours.exportEvents())
    await originalSettled(b.original, 15)
    assert.equal(text(eventsPath(b.original)), text(eventsPath(b.ours)))
    same(b.ledgers.original.getEvents(), b.ledgers.ours.getEvents())
  })

  test("each reads the other's directory: init(), getStorageStats()", async () => {
    const p = pair('cross')
    const events = [...makeEvents(30, 14), ...oddEvents()]
    await onBoth(p, (l) => l.importEvents(events))
    await p.ledgers.ours.flush()
    await originalSettled(p.original, events.length)
    await p.ledgers.ours.getStorageStats() // ours writes its index.json
    const readers = {
      ours: new oursModule.PersistentLedger({ storagePath: p.original, compactIntervalMs: 0 }),
      original: new original.PersistentLedger({ storagePath: p.ours, compactIntervalMs: 0 }),
    }
    await readers.ours.init()
    await readers.original.init()
    // What was written, as JSON gives it back (-0 comes back as 0).
    const written = JSON.parse(JSON.stringify(events))
    same(readers.ours.getEvents(), written)
    same(readers.original.getEvents(), written)
    const pickStats = (s) => pick(s, ['eventCount', 'oldestEvent', 'newestEvent'])
    same(pickStats(await readers.ours.getStorageStats()), pickStats(await p.ledgers.original.getStorageStats()))
    same(pickStats(await readers.original.getStorageStats()), pickStats(await p.ledgers.ours.getStorageStats()))
  })
})

describe('classes', () => {
  test('new PersistentLedger() instanceof RunLedger, as with the original', () => {
    for (const [impl, mod] of Object.entries(impls)) {
      // No storagePath: the default one, which nothing here touches.
      const ledger = new mod.PersistentLedger()
      assert.ok(ledger instanceof mod.RunLedger, impl)
      assert.ok(ledger instanceof mod.PersistentLedger, impl)
      assert.ok(mod.createPersistentLedger() instanceof mod.RunLedger, impl)
      assert.equal(Object.getPrototypeOf(mod.PersistentLedger.prototype), mod.RunLedger.prototype, impl)
    }
  })

  test('user classes can extend RunLedger and PersistentLedger', async () => {
    const { RunLedger, PersistentLedger } = oursModule
    class CountingRunLedger extends RunLedger {
      tasks() {
        return new Set(this.getEvents().map((e) => e.taskId)).size
      }
    }
    const run = new CountingRunLedger(5)
    for (const e of makeEvents(8, 15, { eventId: false })) run.logEvent(e)
    assert.ok(run instanceof RunLedger)
    assert.equal(run.eventCount, 5) // maxEvents 5: the oldest dropped at the 6th, 7th and 8th
    assert.ok(run.tasks() >= 1)
    assert.deepEqual(run.computeMetrics(), new RunLedger().computeMetrics(run.getEvents()))

    class TaggingLedger extends PersistentLedger {
      logEvent(event) {
        return super.logEvent({ ...event, tagged: true })
      }
      importEvents(events) {
        super.importEvents(events.map((e) => ({ ...e, imported: true })))
      }
    }
    const dir = newDir('subclass')
    const ledger = new TaggingLedger({ storagePath: dir, compactIntervalMs: 0 })
    assert.ok(ledger instanceof PersistentLedger && ledger instanceof RunLedger)
    await ledger.init()
    const logged = ledger.logEvent(makeEvent(0, { eventId: false }))
    ledger.importEvents([makeEvent(1)])
    assert.equal(logged.tagged, true)
    const onDisk = text(eventsPath(dir)).trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(onDisk.length, 2)
    assert.equal(onDisk[0].tagged, true)
    assert.equal(onDisk[1].imported, true)
    same(onDisk, JSON.parse(JSON.stringify(ledger.getEvents())))
    await ledger.destroy()
  })
})

describe('deliberate differences', () => {
  test('enableWAL: false: importEvents writes nothing (the original writes imports regardless)', async () => {
    const p = pair('diff-import', { enableWAL: false })
    const events = makeEvents(5, 16)
    await onBoth(p, (l) => l.importEvents(events))
    await p.ledgers.ours.flush()
    assert.equal(files(p.ours), null)
    await originalSettled(p.original, 5)
    assert.equal(text(eventsPath(p.original)), linesOf(events))
  })

  test('enableWAL: finalizeEvent persists (the original never writes it)', async () => {
    const p = pair('diff-finalize')
    const finalized = await onBoth(p, (l) => {
      const e = l.createEvent('task-f', 'testing', 'hash-f')
      e.eventId = 'evt-final'
      return l.finalizeEvent(e)
    })
    assert.equal(text(eventsPath(p.ours)), linesOf([finalized.ours]))
    // The original's only write is the later logEvent's.
    const marker = p.ledgers.original.logEvent({ taskId: 'marker', timestamp: 1 })
    await waitFor(() => lineCount(p.original) >= 1, "the original's logEvent line")
    assert.equal(text(eventsPath(p.original)), linesOf([marker]))
  })

  test('an unserializable event: ours throws TypeError and keeps nothing; the original keeps it in memory only', async () => {
    const p = pair('diff-bigint')
    const ok = makeEvent(0)
    await onBoth(p, (l) => l.importEvents([ok]))
    await originalSettled(p.original, 1)
    assert.throws(() => p.ledgers.ours.logEvent({ taskId: 't', timestamp: 2, big: 1n }), TypeError)
    assert.equal(p.ledgers.ours.eventCount, 1)
    const theirs = p.ledgers.original.logEvent({ taskId: 't', timestamp: 2, big: 1n })
    assert.equal(theirs.big, 1n)
    assert.equal(p.ledgers.original.eventCount, 2)
    const marker = p.ledgers.original.logEvent({ taskId: 'marker', timestamp: 3 })
    await waitFor(() => lineCount(p.original) >= 2, "the original's marker line")
    assert.equal(text(eventsPath(p.original)), linesOf([ok, marker]))
    assert.equal(text(eventsPath(p.ours)), linesOf([ok]))
  })
})
