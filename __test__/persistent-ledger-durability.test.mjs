// No event ever lost (SPEC §4, §6 items 2 and 8): bursts under a low open-file limit, SIGKILL at
// random moments, finalizeEvent/importEvents with and without enableWAL, a failing disk,
// unserializable events, and the compaction timer. Crash and limit tests run real child
// processes (__test__/children/ledger-*.mjs).
import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { EventStore, PersistentLedger, createPersistentLedger } from '../index.js'
import { makeEvent, makeEvents } from './helpers/events.mjs'
import { prng } from './helpers/prng.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const childPath = (name) => join(here, 'children', name)
const root = mkdtempSync(join(tmpdir(), 'pl-durability-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0
/** A fresh storage path; the directory itself is not created. */
const newDir = () => join(root, `store-${++dirs}`)

const eventsFile = (dir) => join(dir, 'events.ndjson')
const fileText = (dir) => (existsSync(eventsFile(dir)) ? readFileSync(eventsFile(dir), 'utf8') : null)
const statSize = (dir) => readFileSync(eventsFile(dir)).length
const linesOf = (events) => events.map((e) => JSON.stringify(e) + '\n').join('')

/** Resolves when `promise` does, rejects if that takes longer than `ms`. */
function within(ms, promise, what) {
  let timer
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/**
 * Starts `node <child> ...args` through bash so that `ulimit` applies to it. Returns the
 * process, an async iterator of its stdout lines and a promise of its exit.
 */
function startChild(name, args, { ulimit = '' } = {}) {
  const script = `${ulimit ? `ulimit ${ulimit} || exit 97; ` : ''}exec "$0" "$@"`
  const child = spawn('bash', ['-c', script, process.execPath, childPath(name), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stderr: () => stderr }))
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return { child, lines, exited }
}

/** Runs a child to its end (with a deadline) and returns its exit and stdout. */
async function runChild(name, args, opts = {}) {
  const { child, lines, exited } = startChild(name, args, opts)
  child.stdin.end()
  const out = []
  const collect = (async () => {
    for (let r = await lines.next(); !r.done; r = await lines.next()) out.push(r.value)
  })()
  let result
  try {
    result = await within(opts.deadlineMs ?? 60_000, exited, `${name} exit`)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  await collect
  return { ...result, stdout: out }
}

/** A store of its own, as another process would open the directory after the fact. */
async function readBack(dir) {
  const store = new EventStore(dir)
  const events = await store.readAll()
  const stats = await store.getStats()
  return { events, stats }
}

/** Events carry `seq` 0, 1, 2, ...: the disk must hold exactly 0..n-1 in order. */
function assertSeqs(events, n, message) {
  assert.equal(events.length, n, `${message}: ${events.length} events on disk, expected ${n}`)
  for (let i = 0; i < n; i++) {
    if (events[i].seq !== i) assert.fail(`${message}: event ${i} on disk has seq ${events[i].seq}`)
  }
}

describe('bursts and crashes (child processes)', () => {
  test('20,000 logEvent calls in one burst under ulimit -n 256: all on disk, in order, after flush()', async () => {
    const dir = newDir()
    const n = 20_000
    const r = await runChild('ledger-burst.mjs', [dir, String(n)], { ulimit: '-n 256' })
    assert.equal(r.code, 0, `child failed: ${r.stderr()}`)
    const report = JSON.parse(r.stdout.at(-1))
    assert.equal(report.openFiles, 256, 'the child ran under the open-file limit')
    assert.equal(report.logged, n)
    // The file is exactly the returned events, one JSON.stringify line each, in call order.
    const bytes = readFileSync(eventsFile(dir))
    assert.equal(createHash('sha256').update(bytes).digest('hex'), report.sha256)
    const { events, stats } = await readBack(dir)
    assertSeqs(events, n, 'burst')
    assert.equal(stats.eventCount, n)
  })

  // The parent reads the counts the child prints and kills it right after the k-th one (k from
  // a seeded generator): every printed event must be on disk, in order, and the directory must
  // read cleanly, also for the next PersistentLedger that opens it.
  test('SIGKILL at a random moment: every event whose logEvent returned is on disk, in order (10 rounds)', async () => {
    const rnd = prng(20240607)
    for (let round = 0; round < 10; round++) {
      const dir = newDir()
      const killAfterLines = 1 + Math.floor(rnd() * 60)
      const { child, lines, exited } = startChild('ledger-loop.mjs', [dir, '100', '8'])
      let printed = 0
      try {
        for (let seen = 0; seen < killAfterLines; seen++) {
          const r = await within(30_000, lines.next(), `round ${round}: count ${seen + 1}`)
          if (r.done) assert.fail(`round ${round}: the child ended early: ${(await exited).stderr()}`)
          printed = Number(r.value)
        }
      } finally {
        child.kill('SIGKILL')
      }
      const end = await within(30_000, exited, `round ${round}: exit after SIGKILL`)
      assert.equal(end.signal, 'SIGKILL', `round ${round}: ${end.stderr()}`)
      await checkAfterCrash(dir, printed, `round ${round} (killed after ${killAfterLines} counts)`)
    }
  })

  // The harshest moment: the child kills itself right after printing, with no delay for its
  // writes to catch up. Each batch follows a pause and a flush(), after which the store's
  // worker has released its lock: the moment an append could be queued instead of written.
  test('SIGKILL right after the calls returned, after an idle pause and flush(): nothing lost (10 rounds)', async () => {
    const rnd = prng(7)
    for (let round = 0; round < 10; round++) {
      const dir = newDir()
      const killAfter = 1 + Math.floor(rnd() * 8)
      const r = await runChild('ledger-loop.mjs', [dir, '5', '1', String(killAfter)], { deadlineMs: 30_000 })
      assert.equal(r.signal, 'SIGKILL', `round ${round}: ${r.stderr()}`)
      const printed = Number(r.stdout.at(-1))
      assert.equal(printed, killAfter * 5)
      await checkAfterCrash(dir, printed, `round ${round} (killed itself after batch ${killAfter})`)
    }
  })
})

async function checkAfterCrash(dir, printed, label) {
  const { events, stats } = await readBack(dir)
  assert.ok(events.length >= printed, `${label}: ${printed} printed, only ${events.length} on disk`)
  // Lines written after the last printed count may be there too; all of it must be in order.
  assertSeqs(events, events.length, label)
  assert.equal(stats.eventCount, events.length, `${label}: stats of a fresh store`)
  // The next program to open the directory sees the same events and can go on appending.
  const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
  await ledger.init()
  assert.equal(ledger.eventCount, events.length, `${label}: init() after the crash`)
  ledger.logEvent({ ...makeEvent(events.length, { eventId: false }), seq: events.length })
  await ledger.flush()
  await ledger.destroy()
  assertSeqs((await readBack(dir)).events, events.length + 1, `${label}: append after the crash`)
}

describe('what is written, and when', () => {
  test('enableWAL: logEvent, finalizeEvent and importEvents are on disk, in call order, when the call returns', async () => {
    const dir = newDir()
    const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
    await ledger.init()
    const expected = []
    expected.push(ledger.logEvent(makeEvent(0, { eventId: false })))
    const created = ledger.createEvent('task-a', 'feature', 'hash-1')
    created.toolsUsed.push('Edit')
    expected.push(ledger.finalizeEvent(created))
    const imported = makeEvents(5, 3)
    ledger.importEvents(imported)
    expected.push(...imported)
    expected.push(ledger.logEvent(makeEvent(1, { eventId: false })))
    // No await since the calls: the lines are already in the file.
    assert.equal(fileText(dir), linesOf(expected))
    await ledger.flush()
    assert.deepEqual((await readBack(dir)).events, JSON.parse(JSON.stringify(expected)))
    assert.equal(ledger.getEvents().length, expected.length)
    await ledger.destroy()
  })

  test('enableWAL: false: logEvent, finalizeEvent and importEvents write nothing; save() writes all', async () => {
    const dir = newDir()
    const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0, enableWAL: false })
    await ledger.init()
    const expected = [ledger.logEvent(makeEvent(0, { eventId: false }))]
    expected.push(ledger.finalizeEvent(ledger.createEvent('task-b', 'bug-fix', 'hash-2')))
    const imported = makeEvents(4, 5)
    ledger.importEvents(imported)
    expected.push(...imported)
    await ledger.flush()
    assert.equal(fileText(dir), null, 'no events file before save()')
    assert.equal(ledger.eventCount, expected.length)
    await ledger.save()
    assert.equal(fileText(dir), linesOf(expected))
    assert.equal((await ledger.getStorageStats()).eventCount, expected.length)
    await ledger.destroy()
  })
})

describe('refused events', () => {
  const unserializable = [
    ['a BigInt', () => ({ ...makeEvent(90, { eventId: false }), big: 10n })],
    [
      'a cycle',
      () => {
        const e = makeEvent(91, { eventId: false })
        e.self = e
        return e
      },
    ],
    ['a throwing toJSON', () => ({ ...makeEvent(92, { eventId: false }), when: { toJSON: () => { throw new Error('no') } } })],
  ]

  for (const enableWAL of [true, false]) {
    test(`unserializable events throw TypeError and change neither memory nor disk (enableWAL: ${enableWAL})`, async () => {
      const dir = newDir()
      const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0, enableWAL })
      await ledger.init()
      ledger.importEvents(makeEvents(3, 11))
      ledger.logEvent(makeEvent(3, { eventId: false }))
      await ledger.flush()
      const memoryBefore = ledger.getEvents()
      const diskBefore = fileText(dir)

      for (const [what, make] of unserializable) {
        assert.throws(() => ledger.logEvent(make()), { name: 'TypeError', message: /^event cannot be stored as JSON/ }, `logEvent of ${what}`)
        assert.throws(
          () => ledger.importEvents([makeEvent(50, { seed: 2 }), make()]),
          { name: 'TypeError', message: /^events\[1\] cannot be stored as JSON/ },
          `importEvents with ${what}`,
        )
        const draft = ledger.createEvent('task-c', 'refactor', 'hash-3')
        draft.durationMs = 7
        draft.payload = make()
        assert.throws(() => ledger.finalizeEvent(draft), { name: 'TypeError' }, `finalizeEvent of ${what}`)
        assert.equal(draft.durationMs, 7, 'finalizeEvent puts durationMs back')
      }
      await ledger.flush()
      assert.deepEqual(ledger.getEvents(), memoryBefore)
      assert.equal(ledger.getEvents().length, 4)
      assert.equal(fileText(dir), diskBefore)
      // Still usable afterwards.
      ledger.logEvent(makeEvent(4, { eventId: false }))
      assert.equal(ledger.eventCount, 5)
      await ledger.destroy()
    })
  }
})

// A child under `ulimit -S -f 64` (a 64 KiB file-size limit; Node ignores SIGXFSZ, so writes fail
// with EFBIG) logs until a write fails. The soft limit alone is set so that the parent can lift
// it afterwards (prlimit) and check that the store recovers without losing the next event.
test('a failing disk (EFBIG under ulimit -f 64) is reported with its cause, never silently', async () => {
  const dir = newDir()
  const { child, lines, exited } = startChild('ledger-efbig.mjs', [dir], { ulimit: '-S -f 64' })
  const next = async (what) => {
    const r = await within(30_000, lines.next(), what)
    if (r.done) assert.fail(`the child ended before ${what}: ${(await exited).stderr()}`)
    return JSON.parse(r.value)
  }
  try {
    assert.deepEqual(await next('its limit'), { fileSizeLimit: '65536' })
    let acknowledged = 0
    let failure
    for (;;) {
      const r = await next('a batch report')
      if (r.ok === undefined) {
        failure = r
        break
      }
      acknowledged = r.ok
    }
    assert.ok(acknowledged > 0, 'some batches fit under the limit')
    const error = failure.threw ?? failure.rejected
    assert.ok(error, `a failure is reported: ${JSON.stringify(failure)}`)
    assert.match(error.message, /File too large|EFBIG/, 'the error names the cause')
    if (failure.threw) {
      // Refused at the call: not in memory either.
      assert.equal(failure.inMemory, failure.returned)
    }
    const flushAfter = await next('the flush after the failure')
    const atFailure = await readBack(dir)
    // Whatever was acknowledged (a batch whose flush resolved) is on disk, in order.
    assert.ok(atFailure.events.length >= acknowledged)
    assertSeqs(atFailure.events, atFailure.events.length, 'at the failure')
    if (failure.threw || flushAfter.flushAfter === 'resolved') {
      // A call that returned (and a later flush that resolved) means on disk: all of them.
      assertSeqs(atFailure.events, failure.returned, 'every returned event')
    }
    assert.ok(statSize(dir) <= 65536)

    assert.deepEqual(await next('waiting'), { waiting: true })
    const lifted = spawnSync('prlimit', ['--pid', String(child.pid), '--fsize=unlimited'], { encoding: 'utf8' })
    assert.equal(lifted.status, 0, `prlimit: ${lifted.error ?? lifted.stderr}`)
    child.stdin.write('go\n')
    const { resumed } = await next('the report after the limit was lifted')
    assert.deepEqual(resumed, { ok: flushAfter.returned + 5 })
    const end = await within(30_000, exited, 'child exit')
    assert.equal(end.code, 0, end.stderr())
    // The first event after the failure is not glued to what the failed write left behind.
    const { events, stats } = await readBack(dir)
    assertSeqs(events, flushAfter.returned + 5, 'after the limit was lifted')
    assert.equal(stats.eventCount, events.length)
  } finally {
    child.kill('SIGKILL')
  }
})

describe('compaction timer', () => {
  for (const mode of ['plain', 'after-compaction']) {
    test(`never keeps the process alive (${mode})`, async () => {
      const dir = newDir()
      const r = await runChild('ledger-timer.mjs', [dir, mode], { deadlineMs: 20_000 })
      assert.equal(r.code, 0, r.stderr())
      assert.deepEqual(r.stdout, [mode === 'plain' ? 'logged' : 'compacted'])
      assert.equal((await readBack(dir)).events.length, 1)
    })
  }

  test('destroy() stops the timer', async () => {
    const intervalMs = 20
    class CountingLedger extends PersistentLedger {
      calls = 0
      #waiters = []
      nextCompact() {
        return new Promise((resolve) => this.#waiters.push(resolve))
      }
      compact() {
        this.calls++
        for (const resolve of this.#waiters.splice(0)) resolve(this.calls)
        return super.compact()
      }
    }
    const ledger = new CountingLedger({ storagePath: newDir(), compactIntervalMs: intervalMs })
    await ledger.init()
    await ledger.init() // idempotent: still one timer
    ledger.importEvents(makeEvents(5, 21))
    // The timer runs: it calls compact() (the subclass's) by itself.
    await within(10_000, ledger.nextCompact(), 'a compaction by the timer')
    await ledger.destroy()
    const callsAtDestroy = ledger.calls
    // Ten intervals without a call. A call would resolve `fired` at once; nothing else can.
    const fired = ledger.nextCompact().then(() => 'fired')
    let timer
    const quiet = new Promise((resolve) => (timer = setTimeout(resolve, intervalMs * 10, 'quiet')))
    assert.equal(await Promise.race([fired, quiet]), 'quiet')
    clearTimeout(timer)
    assert.equal(ledger.calls, callsAtDestroy)
  })

  test('destroy() releases the lock and keeps the files', async () => {
    const dir = newDir()
    const ledger = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
    await ledger.init()
    ledger.importEvents(makeEvents(5, 22))
    await ledger.getEventStore().acquireLock()
    const other = new EventStore(dir)
    await assert.rejects(other.acquireLock(), /^Error: Storage is locked by another process/)
    const before = fileText(dir)
    await ledger.getStorageStats() // brings index.json up to date
    await ledger.destroy()
    assert.equal(existsSync(join(dir, '.lock')), false, '.lock removed')
    await other.acquireLock()
    await other.releaseLock()
    assert.equal(fileText(dir), before, 'events.ndjson kept')
    assert.ok(existsSync(join(dir, 'index.json')), 'index.json kept')
    // The destroyed ledger's data is all there for the next one.
    const again = new PersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
    await again.init()
    assert.deepEqual(again.getEvents(), ledger.getEvents())
  })

  test('createPersistentLedger() with compactIntervalMs: 0 starts no timer', async () => {
    class Spy extends PersistentLedger {
      calls = 0
      compact() {
        this.calls++
        return super.compact()
      }
    }
    const ledger = new Spy({ storagePath: newDir(), compactIntervalMs: 0 })
    await ledger.init()
    let timer
    await new Promise((resolve) => (timer = setTimeout(resolve, 100)))
    clearTimeout(timer)
    assert.equal(ledger.calls, 0)
    assert.ok(createPersistentLedger({ storagePath: newDir() }) instanceof PersistentLedger)
  })
})

// compact() and load() reload memory from disk; events logged while they run must end up both
// in memory and on disk (the original drops them from memory, and a later save() from disk).
for (const op of ['compact', 'load']) {
  test(`events logged while ${op}() runs stay in memory and on disk`, async () => {
    const dir = newDir()
    const ledger = createPersistentLedger({ storagePath: dir, compactIntervalMs: 0, maxEvents: 1000 })
    await ledger.init()
    ledger.importEvents(makeEvents(20_000, 7))
    await ledger.flush()
    const during = []
    let done = false
    const running = ledger[op]().finally(() => {
      done = true
    })
    while (!done) {
      // Newer than everything imported, so a compaction keeps them all (it keeps the newest).
      const event = { ...makeEvent(during.length, { taskIdCount: 3 }), timestamp: 4e12 + during.length }
      during.push(ledger.logEvent(event).eventId)
      await new Promise(setImmediate)
    }
    const evicted = await running
    // Events logged before the compaction took the file count among those it kept or evicted.
    if (op === 'compact') assert.ok(evicted >= 19_000, `evicted ${evicted}`)
    assert.ok(during.length > 0, 'some events were logged during the operation')
    const inMemory = new Set(ledger.getEvents().map((e) => e.eventId))
    assert.deepEqual(during.filter((id) => !inMemory.has(id)), [], 'none missing from memory')
    await ledger.flush()
    await ledger.save()
    const onDisk = new Set((await new EventStore(dir).readAll()).map((e) => e.eventId))
    assert.deepEqual(during.filter((id) => !onDisk.has(id)), [], 'none missing from disk after save()')
    assert.equal(onDisk.size, ledger.eventCount)
    await ledger.destroy()
  })
}
