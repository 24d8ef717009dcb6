// EventStore under faults the original does not survive (SPEC §6 items 1, 3, 4, 5, 6, 7 and
// the lock rules of §7): concurrency inside one process, torn tails, several processes on one
// directory, event-loop blocking, and stale versus live locks. Multi-process tests use real
// child processes (children/*.mjs) that load the same implementation as this file.
//
// Every test here FAILS on the original (checked with STORE_UNDER_TEST=original, Node 20):
//  - 10,000 concurrent appends: all lines are written, index.json says 0-2 events.
//  - torn tail (every variant): the next append is glued to the fragment and lost.
//  - 8 processes racing for the lock: several winners in a round.
//  - appender vs compactor: appends made while writeAll renames its file over events.ndjson vanish.
//  - two processes appending: index.json counts far fewer events than the file holds.
//  - compact of 100,000 events: the event loop stalls for hundreds of ms (seconds on a busy box).
//  - a 60 s old lock of a live process: the original takes it over.
//  - a fresh lock of a dead (or killed) process: the original refuses it for 30 s.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { loadStoreUnderTest, ENTRY_UNDER_TEST, knownFailure } from './helpers/store-impl.mjs'
import { fileLines, storeFiles, tempDir } from './helpers/store-fs.mjs'
import { runEvent, runEvents } from './helpers/store-events.mjs'
import { Child, childrenDir, deadPid } from './helpers/store-child.mjs'

const { EventStore } = await loadStoreUnderTest()
const LOCKED = 'Storage is locked by another process'
const isLocked = (err) => err instanceof Error && err.message.startsWith(LOCKED)

test('10,000 concurrent appends: 10,000 lines, and a fresh instance counts 10,000', { timeout: 300_000 }, async (t) => {
  const path = join(tempDir(t), 'store')
  const store = new EventStore(path)
  const events = runEvents(10_000, (i) => ({ taskId: `task-${i % 100}` }))
  await Promise.all(events.map((e) => store.append(e)))

  const lines = fileLines(storeFiles(path).events)
  assert.equal(lines.length, 10_000, 'lines in events.ndjson')
  const ids = new Set(lines.map((l) => JSON.parse(l).eventId))
  assert.equal(ids.size, 10_000, 'distinct events on disk')

  const fresh = await new EventStore(path).getStats()
  assert.equal(fresh.eventCount, 10_000, 'getStats().eventCount of a fresh EventStore')
  assert.equal(fresh.oldestEvent, events[0].timestamp)
  assert.equal(fresh.newestEvent, events.at(-1).timestamp)
  assert.equal((await store.getStats()).eventCount, 10_000, 'getStats().eventCount of the appending instance')
  const index = JSON.parse(readFileSync(storeFiles(path).index, 'utf8'))
  assert.equal(index.eventCount, 10_000, 'index.json eventCount')
  assert.equal(new Set(index.taskIds).size, 100, 'index.json taskIds')
})

test('two processes appending 2,000 events each at once: 4,000 whole lines, index true', { timeout: 300_000 }, async (t) => {
  const path = join(tempDir(t), 'store')
  const a = new Child(t, 'appender.mjs', [ENTRY_UNDER_TEST, path, 2000, 'a'])
  const b = new Child(t, 'appender.mjs', [ENTRY_UNDER_TEST, path, 2000, 'b'])
  await Promise.all([a.expect('ready'), b.expect('ready')])
  a.send({ go: true })
  b.send({ go: true })
  await Promise.all([a.expect('done', 240_000), b.expect('done', 240_000)])
  await Promise.all([a.close(), b.close()])

  const lines = fileLines(storeFiles(path).events)
  assert.equal(lines.length, 4000, 'lines in events.ndjson')
  const ids = new Set(lines.map((l) => JSON.parse(l).eventId)) // throws on a torn or interleaved line
  assert.equal(ids.size, 4000)
  assert.equal((await new EventStore(path).getStats()).eventCount, 4000, 'getStats().eventCount of a fresh EventStore')
})

// ---------------------------------------------------------------------------------------------
// Torn tails: a crash in the middle of writing a line leaves it unterminated.

const prior = runEvents(5)
const priorBytes = Buffer.from(prior.map((e) => JSON.stringify(e) + '\n').join(''))
const cutEvent = JSON.stringify(runEvent(9, { note: 'price in € and ü', escaped: 'tab\tquote"' }))
const tornTails = {
  'cut inside a string': Buffer.from(cutEvent.slice(0, 60)),
  'cut right after a comma': Buffer.from(cutEvent.slice(0, cutEvent.indexOf(',"guidanceHash"') + 1)),
  'cut inside an escape': Buffer.from(cutEvent.slice(0, cutEvent.indexOf('\\t') + 1)),
  'cut inside a multi-byte character': Buffer.from(cutEvent).subarray(0, Buffer.from(cutEvent).indexOf('€') + 1),
  'cut after the closing brace of a nested object': Buffer.from(cutEvent.slice(0, cutEvent.indexOf('}') + 1)),
}

async function assertHealedAfterAppend(path, before, fragment, store) {
  const added = [runEvent(100, { eventId: 'after-crash-1' }), runEvent(101, { eventId: 'after-crash-2' })]
  for (const e of added) await store.append(e)

  const bytes = readFileSync(storeFiles(path).events)
  assert.ok(bytes.subarray(0, before.length).equals(before), 'the complete lines before the fragment changed')
  for (const e of added) {
    const carrying = bytes.toString('utf8').split('\n').filter((line) => line.includes(e.eventId))
    assert.deepStrictEqual(carrying, [JSON.stringify(e)], `the line of ${e.eventId} is not exactly its JSON (glued to the fragment?)`)
  }
  const expected = [...JSON.parse(`[${before.toString('utf8').trim().split('\n').filter(Boolean).join(',')}]`), ...added]
  assert.deepStrictEqual(await new EventStore(path).readAll(), expected, 'readAll after the crash')
  assert.equal((await new EventStore(path).getStats()).eventCount, expected.length, 'getStats().eventCount')
  assert.ok(fragment.length > 0)
}

for (const [name, fragment] of Object.entries(tornTails)) {
  test(`torn tail (${name}): the next append is readable and the lines before are intact`, async (t) => {
    const path = join(tempDir(t), 'store')
    mkdirSync(path)
    writeFileSync(storeFiles(path).events, Buffer.concat([priorBytes, fragment]))
    const store = new EventStore(path)
    assert.deepStrictEqual(await store.readAll(), prior, 'readAll skips the fragment')
    await assertHealedAfterAppend(path, priorBytes, fragment, store)
  })
}

test('torn tail in a file holding nothing but the fragment', async (t) => {
  const path = join(tempDir(t), 'store')
  mkdirSync(path)
  writeFileSync(storeFiles(path).events, tornTails['cut inside a string'])
  await assertHealedAfterAppend(path, Buffer.alloc(0), tornTails['cut inside a string'], new EventStore(path))
})

test('torn tail left by another process while this instance has the store open', async (t) => {
  const path = join(tempDir(t), 'store')
  const store = new EventStore(path)
  for (const e of prior) await store.append(e)
  await store.getStats()
  // what a process killed in the middle of its write leaves behind
  appendFileSync(storeFiles(path).events, tornTails['cut inside a multi-byte character'])
  await assertHealedAfterAppend(path, priorBytes, tornTails['cut inside a multi-byte character'], store)
})

// ---------------------------------------------------------------------------------------------
// Several processes on one directory.

test('8 processes calling acquireLock at the same instant, 20 rounds: exactly one wins each round', { timeout: 300_000 }, async (t) => {
  const path = join(tempDir(t), 'store')
  const children = Array.from({ length: 8 }, () => new Child(t, 'lock-contender.mjs', [ENTRY_UNDER_TEST, path]))
  await Promise.all(children.map((c) => c.expect('ready')))
  const winnersPerRound = []
  for (let round = 0; round < 20; round++) {
    const at = Date.now() + 150
    for (const c of children) c.send({ go: at })
    // winners hold the lock until every contender has answered
    const answers = await Promise.all(children.map((c) => c.expect('won')))
    const winners = answers.filter((a) => a.won)
    winnersPerRound.push(winners.length)
    for (const loser of answers.filter((a) => !a.won)) {
      assert.ok(loser.message.startsWith(LOCKED), `round ${round}: a loser got "${loser.message}" instead of "${LOCKED}…"`)
    }
    if (winners.length === 1) {
      const lock = JSON.parse(readFileSync(storeFiles(path).lock, 'utf8'))
      assert.equal(lock.pid, winners[0].pid, `round ${round}: .lock names another process than the winner`)
    }
    for (const c of children) c.send({ release: true })
    await Promise.all(children.map((c) => c.expect('released')))
    if (winners.length === 1) assert.equal(existsSync(storeFiles(path).lock), false, `round ${round}: .lock left after release`)
  }
  await Promise.all(children.map((c) => c.close()))
  assert.deepStrictEqual(winnersPerRound, Array(20).fill(1), 'winners in each round')
})

test('one process appends 3,000 events while another loops lock, compact, writeAll(readAll()), unlock: none lost', { timeout: 300_000 }, async (t) => {
  const path = join(tempDir(t), 'store')
  const compactor = new Child(t, 'compactor.mjs', [ENTRY_UNDER_TEST, path])
  const appender = new Child(t, 'appender.mjs', [ENTRY_UNDER_TEST, path, 3000, 'appended'])
  await appender.expect('ready')
  await compactor.expect('cycle', 60_000) // the compactor is looping before the first append
  appender.send({ go: true })
  await appender.expect('done', 240_000)
  compactor.send({ stop: true })
  const { cycles } = await compactor.expect('stopped', 60_000)
  await Promise.all([appender.close(), compactor.close()])
  assert.ok(cycles >= 2, `the compactor ran ${cycles} cycle(s): no overlap with the appender was exercised`)

  const lines = fileLines(storeFiles(path).events)
  const all = await new EventStore(path).readAll()
  const ids = all.map((e) => e.eventId)
  const missing = Array.from({ length: 3000 }, (_, i) => `appended-${i}`).filter((id) => !ids.includes(id))
  assert.deepStrictEqual(missing.slice(0, 20), [], `${missing.length} of 3,000 appended events are missing (first 20 shown)`)
  assert.equal(new Set(ids).size, ids.length, 'duplicated events')
  assert.equal(all.length, 3000, 'events in the store')
  assert.equal(lines.length, 3000, 'lines in events.ndjson (a torn or blank line?)')
  assert.equal((await new EventStore(path).getStats()).eventCount, 3000, 'getStats().eventCount of a fresh EventStore')
})

// ---------------------------------------------------------------------------------------------
// Blocking. This bounds how long compact may hold the event loop, not how fast it is.
//
// A stall is a timer tick that comes late. On a busy machine (the 2-core box these tests were
// written on ran builds and benchmarks alongside) a tick also comes late when the main thread
// merely waits for a CPU while the store's worker and other processes use them: measured at up
// to 100 ms with the main thread on the CPU for 0.2 ms of it. On Linux that wait is read from
// /proc/thread-self/schedstat and not counted; what remains is time the thread ran or slept
// (computing, or blocked on a lock), which is what "blocking the event loop" means. A VM's
// vCPU steal cannot be told apart that way, hence the best of three runs: a store that blocks
// the loop does so in every run.

const SCHEDSTAT = '/proc/thread-self/schedstat'

function stallMonitor() {
  const correct = existsSync(SCHEDSTAT)
  const runQueueWaitMs = () => (correct ? Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]) / 1e6 : 0)
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let last = performance.now()
  let lastWait = runQueueWaitMs()
  let worst = { blockedMs: 0, gapMs: 0, runQueueWaitMs: 0, atMs: 0 }
  const start = last
  const timer = setInterval(() => {
    const now = performance.now()
    const wait = runQueueWaitMs()
    const blockedMs = now - last - (wait - lastWait) - 1 // 1: the interval itself
    if (blockedMs > worst.blockedMs) worst = { blockedMs, gapMs: now - last, runQueueWaitMs: wait - lastWait, atMs: last - start }
    last = now
    lastWait = wait
  }, 1)
  return async () => {
    // A stall at the very end only shows in the delay of the next tick: let two ticks pass.
    await new Promise((r) => setTimeout(r, 5))
    await new Promise((r) => setTimeout(r, 5))
    clearInterval(timer)
    histogram.disable()
    return { ...worst, rawMaxDelayMs: histogram.max / 1e6 - 1 }
  }
}

test('compact of 100,000 events never blocks the event loop for 10 ms or more', { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t)
  const BASE = 1_700_000_000_000
  const source = join(dir, 'source.ndjson')
  const writer = spawnSync(process.execPath, [join(childrenDir, 'write-events-file.mjs'), source, 100_000, 42, BASE], { stdio: 'inherit' })
  assert.equal(writer.status, 0, 'writing the 100,000-event file failed')

  const runs = []
  for (let attempt = 0; attempt < 3 && !(runs.at(-1)?.blockedMs < 10); attempt++) {
    const path = join(dir, `store-${attempt}`)
    mkdirSync(path)
    copyFileSync(source, storeFiles(path).events)
    const store = new EventStore(path)

    const stop = stallMonitor()
    const evicted = await store.compact(50_000)
    runs.push(await stop())

    assert.equal(evicted, 50_000)
    const kept = fileLines(storeFiles(path).events).map((l) => JSON.parse(l).timestamp)
    assert.equal(kept.length, 50_000)
    assert.deepStrictEqual(kept, Array.from({ length: 50_000 }, (_, i) => BASE + 50_000 + i), 'the 50,000 newest, ascending')
  }
  const f = (x) => x.toFixed(1)
  const shown = runs.map((r) => `${f(r.blockedMs)} ms (a ${f(r.gapMs)} ms gap at ${f(r.atMs)} ms with ${f(r.runQueueWaitMs)} ms waiting for a CPU; loop delay histogram max ${f(r.rawMaxDelayMs)} ms)`).join('; ')
  assert.ok(runs.at(-1).blockedMs < 10, `the event loop was blocked during compact for ${shown}`)
  t.diagnostic(`longest block: ${shown}`)
})

// ---------------------------------------------------------------------------------------------
// Stale and live locks (SPEC §7): liveness of the holder's pid decides, not the lock's age.

test('a lock of a live process is not taken over, even when its timestamp is 60 s old', async (t) => {
  const path = join(tempDir(t), 'store')
  // A live process other than this one that is older than the lock (a process younger than
  // its lock only has a dead holder's pid, given to it again): init.
  mkdirSync(path)
  const lock = JSON.stringify({ holder: 'live-holder', timestamp: Date.now() - 60_000, pid: 1 })
  writeFileSync(storeFiles(path).lock, lock)

  const store = new EventStore(path)
  await assert.rejects(store.acquireLock(), (err) => {
    assert.ok(isLocked(err), `rejected with "${err?.message}"`)
    return true
  })
  assert.equal(readFileSync(storeFiles(path).lock, 'utf8'), lock, 'the live holder’s lock file was changed')
  await store.releaseLock()
  assert.equal(readFileSync(storeFiles(path).lock, 'utf8'), lock, 'releaseLock removed a lock this instance does not hold')
})

test('a lock whose pid now belongs to a process started after it was written is stale', async (t) => {
  const path = join(tempDir(t), 'store')
  const other = new Child(t, 'idle.mjs')
  const { pid } = await other.expect('ready')
  mkdirSync(path)
  writeFileSync(storeFiles(path).lock, JSON.stringify({ holder: 'crashed-holder', timestamp: Date.now() - 60_000, pid }))
  const store = new EventStore(path)
  await store.acquireLock()
  assert.equal(JSON.parse(readFileSync(storeFiles(path).lock, 'utf8')).pid, process.pid)
  await store.releaseLock()
  await other.close()
})

test('a fresh lock whose pid is dead is stale at once', async (t) => {
  const path = join(tempDir(t), 'store')
  mkdirSync(path)
  writeFileSync(storeFiles(path).lock, JSON.stringify({ holder: 'dead-holder', timestamp: Date.now(), pid: await deadPid() }))
  const store = new EventStore(path)
  await store.acquireLock()
  const lock = JSON.parse(readFileSync(storeFiles(path).lock, 'utf8'))
  assert.equal(lock.pid, process.pid)
  assert.notEqual(lock.holder, 'dead-holder')
  await store.releaseLock()
  assert.equal(existsSync(storeFiles(path).lock), false)
})

test('a lock held by a process that is then killed is taken over at once', async (t) => {
  const path = join(tempDir(t), 'store')
  const holder = new Child(t, 'lock-contender.mjs', [ENTRY_UNDER_TEST, path])
  await holder.expect('ready')
  holder.send({ go: 0 })
  assert.equal((await holder.expect('won')).won, true, 'the child could not take the lock')

  const store = new EventStore(path)
  await assert.rejects(store.acquireLock(), (err) => isLocked(err), 'the lock of a live child was taken')
  holder.proc.kill('SIGKILL')
  await holder.exited
  await store.acquireLock()
  assert.equal(JSON.parse(readFileSync(storeFiles(path).lock, 'utf8')).pid, process.pid)
  await store.releaseLock()
})
