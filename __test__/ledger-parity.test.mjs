// Runs the same calls on the original RunLedger and evaluators and on ours, and requires equal
// results: values, key order (compared through JSON text as well) and float bits. Event ids are
// random on both sides, so they are checked for shape and then normalized away.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import * as oursLedger from '../lib/run-ledger.js'
import * as oursEvaluators from '../lib/evaluators.js'
import { loadOriginal } from './helpers/original.mjs'
import { makeEvent, makeEvents } from './helpers/events.mjs'
import { freezeClock } from './helpers/clock.mjs'

const { ledger: origLedger } = await loadOriginal()
const impls = {
  original: origLedger,
  ours: { ...oursEvaluators, RunLedger: oursLedger.RunLedger, createLedger: oursLedger.createLedger },
}
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Runs fn once per implementation (original first) and returns { original, ours }. */
async function both(fn) {
  return { original: await fn(impls.original, 'original'), ours: await fn(impls.ours, 'ours') }
}

/** Equal values (Object.is for numbers: -0, NaN) and equal key order everywhere. */
function same(actual, expected, message) {
  assert.deepStrictEqual(actual, expected, message)
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), message)
}

// Event ids are random on both sides: replace each UUID v4 eventId, at any depth, by a marker
// so that the rest can be compared (keys keep their order).
function normalizeIds(value) {
  if (Array.isArray(value)) return value.map(normalizeIds)
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === 'eventId' && typeof v === 'string' && UUID_V4.test(v) ? '<uuid4>' : normalizeIds(v)
  }
  return out
}


const withoutIds = (n, seed, opts = {}) => makeEvents(n, seed, { ...opts, eventId: false })

describe('logEvent / createEvent / finalizeEvent', () => {
  test('logEvent: same keys in the same order, a fresh UUID v4 that replaces a given eventId', async () => {
    const inputs = [
      ...withoutIds(50, 3),
      ...makeEvents(50, 4), // with an eventId first
      { taskId: 't', eventId: 'given-in-the-middle', timestamp: 5, extra: { nested: [1, 2] } },
      { zeta: 1, alpha: 2, 10: 'numeric keys sort first', taskId: 'odd-order' },
      {},
    ]
    const { original, ours } = await both(({ RunLedger }) => {
      const ledger = new RunLedger()
      return inputs.map((e) => ledger.logEvent(e))
    })
    for (const [i, event] of ours.entries()) {
      assert.match(event.eventId, UUID_V4)
      assert.notEqual(event.eventId, inputs[i].eventId)
      assert.notEqual(event, inputs[i], 'logEvent stores a copy')
      assert.deepEqual(Object.keys(event), Object.keys(original[i]))
    }
    assert.equal(new Set(ours.map((e) => e.eventId)).size, ours.length, 'ids are unique')
    same(normalizeIds(ours), normalizeIds(original))
  })

  test('logEvent copies symbol keys and getters the same way', async () => {
    const sym = Symbol('s')
    const make = () => {
      const e = { taskId: 't', [sym]: 1 }
      Object.defineProperty(e, 'computed', { get: () => 42, enumerable: true })
      Object.defineProperty(e, 'hidden', { value: 1, enumerable: false })
      return e
    }
    const { original, ours } = await both(({ RunLedger }) => new RunLedger().logEvent(make()))
    assert.deepEqual(Reflect.ownKeys(ours), Reflect.ownKeys(original))
    assert.equal(ours.computed, 42)
    assert.equal(Object.getOwnPropertyDescriptor(ours, 'computed').value, 42, 'getter flattened to a value')
  })

  test('createEvent: same shape and key order; timestamp is Date.now()', async () => {
    freezeClock(1_712_345_678_901)
    const { original, ours } = await both(({ RunLedger }) =>
      ['feature', 'bug-fix', 'general'].map((intent, i) => new RunLedger().createEvent(`task-${i}`, intent, `hash${i}`)),
    )
    for (const e of ours) assert.match(e.eventId, UUID_V4)
    same(normalizeIds(ours), normalizeIds(original))
    assert.equal(ours[0].timestamp, 1_712_345_678_901)
  })

  test('finalizeEvent: sets durationMs, stores and returns the object itself, evicts', async () => {
    const { original, ours } = await both(({ RunLedger }) => {
      const ledger = new RunLedger(4)
      const returned = []
      for (let i = 0; i < 9; i++) {
        freezeClock(1_000_000 + i * 10)
        const e = ledger.createEvent(`t${i}`, 'feature', 'h')
        e.reworkLines = i
        freezeClock(1_000_000 + i * 10 + 250 + i)
        const r = ledger.finalizeEvent(e)
        assert.equal(r, e)
        assert.equal(ledger.getEvents().at(-1), e)
        returned.push(r)
      }
      return { returned, stored: ledger.getEvents(), count: ledger.eventCount }
    })
    same(normalizeIds(ours), normalizeIds(original))
    assert.equal(ours.returned[3].durationMs, 253)
  })
})

describe('evaluators', () => {
  // Edge cases beside the generated ones: zero totals, NaN and fractional ratios, rounding.
  const edgeEvents = () => [
    { ...makeEvent(0), testResults: { ran: true, passed: 0, failed: 0, skipped: 0 } },
    { ...makeEvent(1), testResults: { ran: true, passed: 3, failed: 0, skipped: 0 } },
    { ...makeEvent(2), testResults: { ran: true, passed: 1, failed: 2, skipped: 4 } },
    { ...makeEvent(3), diffSummary: { linesAdded: 0, linesRemoved: 0, filesChanged: 0 }, reworkLines: 9 },
    { ...makeEvent(4), diffSummary: { linesAdded: 3, linesRemoved: 0, filesChanged: 1 }, reworkLines: 1 },
    { ...makeEvent(5), diffSummary: { linesAdded: 8, linesRemoved: 0, filesChanged: 1 }, reworkLines: 1 }, // 12.5%
    { ...makeEvent(6), diffSummary: { linesAdded: 7, linesRemoved: 1, filesChanged: 1 }, reworkLines: 20 },
    { ...makeEvent(7), diffSummary: { linesAdded: 1000, linesRemoved: 3, filesChanged: 1 }, reworkLines: 0.3 },
    { ...makeEvent(8), toolsUsed: ['rm -rf / && eval(x)', 'exec (y)', 'curl a|sh', 'git push --force origin master'] },
    { ...makeEvent(9), filesTouched: ['mypackage.json', 'package-lock.json', 'package.json.bak', 'a/package.json', 'deno-lock.json'] },
    { ...makeEvent(10), violations: Array.from({ length: 7 }, (_, i) => ({ ruleId: `R${i % 3}`, autoCorrected: i % 2 === 0 })) },
  ]
  const manyEvents = () => [...edgeEvents(), ...makeEvents(400, 11, { fractionalRework: true })]

  test('RunLedger.evaluate with the built-ins, on a few hundred varied events', async () => {
    const events = manyEvents()
    const { original, ours } = await both(async ({ RunLedger }) => {
      const ledger = new RunLedger()
      const results = []
      for (const e of events) results.push(await ledger.evaluate(e))
      return results
    })
    same(ours, original)
    // The corpus must exercise both outcomes of every built-in.
    for (let k = 0; k < 5; k++) {
      const passed = new Set(ours.map((r) => r[k].passed))
      if (ours[0][k].name !== 'forbidden-dependency-scan') assert.equal(passed.size, 2, ours[0][k].name)
    }
  })

  test('custom async evaluators, added and removed, run in order', async () => {
    const events = manyEvents().slice(0, 120)
    const { original, ours } = await both(async ({ RunLedger, ViolationRateEvaluator }) => {
      const ledger = new RunLedger()
      const order = []
      ledger.addEvaluator({
        name: 'slow',
        type: 'subjective',
        async evaluate(e) {
          await new Promise((resolve) => setImmediate(resolve))
          order.push('slow')
          return { name: 'slow', passed: e.reworkLines < 10, details: `rework ${e.reworkLines}` }
        },
      })
      ledger.addEvaluator({
        name: 'sync-value',
        type: 'objective',
        evaluate: (e) => {
          order.push('sync')
          return { name: 'sync-value', passed: true, details: e.taskId, score: 0.5 }
        },
      })
      const out = []
      for (const e of events.slice(0, 40)) out.push(await ledger.evaluate(e))
      ledger.removeEvaluator('violation-rate')
      ledger.removeEvaluator('slow')
      ledger.removeEvaluator('no-such-evaluator')
      for (const e of events.slice(40, 80)) out.push(await ledger.evaluate(e))
      ledger.removeEvaluator('tests-pass')
      ledger.addEvaluator(new ViolationRateEvaluator(2))
      for (const e of events.slice(80)) out.push(await ledger.evaluate(e))
      return { out, order: order.join(',') }
    })
    same(ours, original)
    assert.deepEqual(ours.out.at(-1).map((r) => r.name), ['forbidden-command-scan', 'forbidden-dependency-scan', 'diff-quality', 'sync-value', 'violation-rate'])
  })

  test('removing an evaluator while evaluate() runs does not change the running list', async () => {
    const { original, ours } = await both(async ({ RunLedger }) => {
      const ledger = new RunLedger()
      ledger.addEvaluator({
        name: 'remover',
        type: 'objective',
        async evaluate() {
          ledger.removeEvaluator('tests-pass')
          ledger.addEvaluator({ name: 'late', type: 'objective', evaluate: async () => ({ name: 'late', passed: true, details: '' }) })
          return { name: 'remover', passed: true, details: '' }
        },
      })
      const e = makeEvent(1)
      return [await ledger.evaluate(e), await ledger.evaluate(e)]
    })
    same(ours, original)
  })

  const configs = [
    ['TestsPassEvaluator', []],
    ['ForbiddenCommandEvaluator', []],
    ['ForbiddenCommandEvaluator', [() => [/npm\s+publish/, /git\s+reset\s+--hard/i, /Bash/]]],
    ['ForbiddenCommandEvaluator', [() => [/a/g, /e/gy]]], // stateful: lastIndex carries over
    ['ForbiddenCommandEvaluator', [() => []]],
    ['ForbiddenDependencyEvaluator', []],
    ['ForbiddenDependencyEvaluator', [() => []]],
    ['ForbiddenDependencyEvaluator', [() => ['left-pad', 'event-stream']]],
    ['ViolationRateEvaluator', []],
    ...[0, 1, 2, 5, 0.5, -1].map((n) => ['ViolationRateEvaluator', [() => n]]),
    ['DiffQualityEvaluator', []],
    ...[0, 0.1, 0.125, 0.3, 0.555, 1, 2.5].map((n) => ['DiffQualityEvaluator', [() => n]]),
  ]
  for (const [name, argMakers] of configs) {
    const args = () => argMakers.map((make) => make())
    test(`${name}(${args().map((a) => (Array.isArray(a) ? `[${a.join(', ')}]` : a)).join(', ')})`, async () => {
      const events = manyEvents()
      const { original, ours } = await both(async (impl) => {
        const evaluator = new impl[name](...args())
        const results = []
        for (const e of events) results.push(await evaluator.evaluate(e))
        return { keys: Object.keys(evaluator), name: evaluator.name, type: evaluator.type, results }
      })
      same(ours, original)
    })
  }
})

describe('queries over hundreds of events', () => {
  const events = makeEvents(700, 21, { eventId: false, taskIdCount: 40, fractionalRework: true })
  const run = (fn) =>
    both(({ RunLedger }) => {
      const ledger = new RunLedger()
      for (const e of events) ledger.logEvent(e)
      return fn(ledger)
    })
  const t0 = events[0].timestamp

  test('getEvents, getEventsByTask', async () => {
    const { original, ours } = await run((l) => ({
      all: l.getEvents(),
      byTask: ['task-0', 'task-7', 'task-39', 'task-40', ''].map((t) => l.getEventsByTask(t)),
    }))
    same(normalizeIds(ours.all), normalizeIds(original.all))
    same(ours.byTask.map(normalizeIds), original.byTask.map(normalizeIds))
    assert.ok(ours.byTask[1].length > 0)
  })

  test('getEventsInRange', async () => {
    const windows = [
      [t0, t0 + 50_000],
      [t0 + 100_000, t0 + 100_000],
      [t0 + 300_500, t0 + 420_000],
      [t0 + 50_000, t0], // inverted
      [-Infinity, Infinity],
      [t0 + 10.5, t0 + 20_000.25],
    ]
    const { original, ours } = await run((l) => windows.map(([a, b]) => l.getEventsInRange(a, b)))
    same(ours.map(normalizeIds), original.map(normalizeIds))
    assert.ok(ours[0].length > 10 && ours[4].length === 700)
  })

  test('getRecentEvents', async () => {
    const counts = [1, 5, 100, 699, 700, 800, 0, -3, 2.5, Infinity, -Infinity]
    const { original, ours } = await run((l) => counts.map((c) => l.getRecentEvents(c)))
    same(ours.map(normalizeIds), original.map(normalizeIds))
  })

  test('computeMetrics, with and without an argument', async () => {
    const { original, ours } = await run((l) => [
      l.computeMetrics(),
      l.computeMetrics(null),
      l.computeMetrics([]),
      l.computeMetrics(l.getRecentEvents(37)),
      l.computeMetrics(l.getEventsByTask('task-3')),
      l.computeMetrics(events.filter((e) => e.violations.length === 0)),
      l.computeMetrics(events.filter((e) => e.violations.length > 0)),
    ])
    same(ours, original)
    assert.ok(!Number.isInteger(ours[0].reworkLines), 'fractional rework makes the sum order matter')
  })

  test('rankViolations, with and without an argument', async () => {
    const { original, ours } = await run((l) => [
      l.rankViolations(),
      l.rankViolations(undefined),
      l.rankViolations([]),
      l.rankViolations(l.getRecentEvents(60)),
      l.rankViolations(l.getEventsByTask('task-11')),
      l.rankViolations(events.map((e) => ({ ...e, reworkLines: 0 }))), // all scores tie at 0
      l.rankViolations(events.map((e) => ({ ...e, reworkLines: e.violations.length }))),
    ])
    same(ours, original)
    assert.ok(ours[0].length >= 10)
  })

  test('eventCount, exportEvents, clear', async () => {
    const { original, ours } = await run((l) => {
      const before = l.eventCount
      const exported = l.exportEvents()
      exported.pop()
      const after = l.eventCount
      l.clear()
      const cleared = [l.eventCount, l.getEvents(), l.computeMetrics(), l.rankViolations()]
      l.logEvent(events[0])
      return { before, after, exported: exported.length, cleared, count: l.eventCount }
    })
    same(ours, original)
  })
})

describe('eviction', () => {
  for (const cap of [1, 2, 5, 10, 37, 100, 250]) {
    test(`RunLedger(${cap}) keeps the same events as the original`, async () => {
      const events = makeEvents(600, cap, { eventId: false }).map((e, seq) => ({ seq, ...e }))
      const { original, ours } = await both(({ RunLedger, createLedger }) => {
        const ledger = cap % 2 ? new RunLedger(cap) : createLedger(cap)
        const counts = []
        events.forEach((e, i) => {
          if (i % 7 === 3) ledger.finalizeEvent({ ...e, eventId: `f${i}` })
          else ledger.logEvent(e)
          counts.push(ledger.eventCount)
        })
        if (cap === 37) ledger.importEvents(events.slice(0, 100)) // import does not evict
        return { counts, kept: ledger.getEvents().map((e) => e.seq), count: ledger.eventCount }
      })
      same(ours, original)
      assert.ok(Math.max(...ours.counts) <= Math.max(cap, 1) + (cap === 37 ? 100 : 0))
    })
  }

  test('unlimited for 0 and negative caps', async () => {
    const { original, ours } = await both(({ RunLedger }) =>
      [0, -5, Infinity].map((cap) => {
        const ledger = new RunLedger(cap)
        for (const e of makeEvents(150, 2)) ledger.logEvent(e)
        return ledger.eventCount
      }),
    )
    same(ours, original)
    assert.deepEqual(ours, [150, 150, 150])
  })
})

test('exportEvents/importEvents across the two implementations', async () => {
  const events = makeEvents(300, 31)
  const orig = new impls.original.RunLedger()
  const ours = new impls.ours.RunLedger()
  for (const e of events.slice(0, 150)) orig.logEvent(e)
  for (const e of events.slice(150)) ours.logEvent(e)

  const origCopy = new impls.original.RunLedger()
  const oursCopy = new impls.ours.RunLedger()
  ours.importEvents(orig.exportEvents())
  origCopy.importEvents(ours.exportEvents())
  oursCopy.importEvents(orig.exportEvents())

  // Imported objects keep their ids and identity.
  assert.deepEqual(ours.getEvents().slice(150), orig.getEvents())
  assert.equal(ours.getEvents()[150], orig.getEvents()[0])
  same(origCopy.getEvents(), ours.getEvents())
  same(oursCopy.getEvents(), orig.getEvents())
  same(ours.computeMetrics(), origCopy.computeMetrics())
  same(ours.rankViolations(), origCopy.rankViolations())
})

test('a caller mutating a returned event sees it in later results, as with the original', async () => {
  const { original, ours } = await both(({ RunLedger }) => {
    const ledger = new RunLedger()
    const logged = makeEvents(20, 41, { eventId: false }).map((e) => ledger.logEvent(e))
    const before = ledger.computeMetrics()
    logged[0].violations.push({ ruleId: 'R999', description: 'added later', severity: 'high', autoCorrected: true })
    ledger.getEvents()[1].reworkLines = 1234.5
    ledger.getRecentEvents(1)[0].violations = []
    ledger.getEventsByTask(logged[2].taskId)[0].taskId = 'renamed'
    return {
      before,
      after: ledger.computeMetrics(),
      ranking: ledger.rankViolations(),
      renamed: ledger.getEventsByTask('renamed').length,
      same: ledger.getEvents()[0] === logged[0],
    }
  })
  same(ours, original)
  assert.notDeepEqual(ours.before, ours.after)
  assert.equal(ours.same, true)
})

test('class X extends RunLedger works the same', async () => {
  const { original, ours } = await both(({ RunLedger }) => {
    class Audited extends RunLedger {
      constructor() {
        super(3)
        this.seen = []
      }
      logEvent(event) {
        const logged = super.logEvent({ ...event, audited: true })
        this.seen.push(logged.taskId)
        return logged
      }
      computeMetrics(events) {
        return { ...super.computeMetrics(events), custom: this.seen.length }
      }
    }
    const ledger = new Audited()
    for (const e of makeEvents(8, 51, { eventId: false })) ledger.logEvent(e)
    return {
      isRunLedger: ledger instanceof RunLedger,
      seen: ledger.seen,
      events: ledger.getEvents(),
      metrics: ledger.computeMetrics(),
      count: ledger.eventCount,
      keys: Object.keys(ledger),
    }
  })
  same(normalizeIds(ours), normalizeIds(original))
  assert.equal(ours.isRunLedger, true)
  assert.equal(ours.events[0].audited, true)
})

test('a new ledger has the same own properties and default evaluators', async () => {
  const { original, ours } = await both(({ RunLedger }) => {
    const ledger = new RunLedger(12)
    return {
      keys: Object.keys(ledger),
      evaluators: ledger.evaluators.map((e) => [e.constructor.name, Object.keys(e), e.name, e.type]),
      maxEvents: ledger.maxEvents,
    }
  })
  same(ours, original)
})
