// RunLedger's own contract (SPEC §3, §7) and its extension hook for subclasses; parity with the
// original is in ledger-parity.test.mjs.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { RunLedger, createLedger, kAdmit, kRestore } from '../lib/run-ledger.js'
import {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} from '../lib/evaluators.js'
import { makeEvent, makeEvents } from './helpers/events.mjs'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const require = createRequire(import.meta.url)

/** Asserts a TypeError whose message names the argument. */
const namesArg = (argName) => (err) => {
  assert.ok(err instanceof TypeError, `expected a TypeError, got ${err}`)
  assert.ok(err.message.startsWith(`${argName} must be`), `message should name ${argName}: ${err.message}`)
  return true
}
const throwsArg = (fn, argName) => assert.throws(fn, namesArg(argName))

describe('events in and out', () => {
  test('logEvent returns a copy with a new UUID v4 eventId, replacing a given one', () => {
    const ledger = new RunLedger()
    const input = makeEvent(1)
    const logged = ledger.logEvent(input)
    assert.match(logged.eventId, UUID_V4)
    assert.notEqual(logged.eventId, input.eventId)
    assert.notEqual(logged, input)
    assert.deepEqual({ ...logged, eventId: input.eventId }, input)
    assert.equal(ledger.getEvents()[0], logged)
  })

  test('getters return new arrays holding the stored objects themselves', () => {
    const ledger = new RunLedger()
    const logged = makeEvents(10, 2).map((e) => ledger.logEvent(e))
    const a = ledger.getEvents()
    assert.notEqual(a, ledger.getEvents())
    a.length = 0
    assert.equal(ledger.eventCount, 10, 'emptying a returned array does not touch the ledger')
    assert.deepEqual(ledger.getEvents(), logged)
    ledger.getEvents().forEach((e, i) => assert.equal(e, logged[i]))
    assert.equal(ledger.exportEvents()[3], logged[3])
    assert.equal(ledger.getRecentEvents(1)[0], logged[9])
    assert.equal(ledger.getEventsByTask(logged[4].taskId)[0].taskId, logged[4].taskId)
  })

  test('a mutated returned event shows in later metrics', () => {
    const ledger = new RunLedger()
    const e = ledger.logEvent({ ...makeEvent(0), violations: [], reworkLines: 0 })
    assert.equal(ledger.computeMetrics().violationRate, 0)
    ledger.getEvents()[0].violations.push({ ruleId: 'R1', autoCorrected: false })
    assert.equal(e.violations.length, 1)
    assert.equal(ledger.computeMetrics().violationRate, 10)
    assert.deepEqual(ledger.rankViolations().map((r) => r.ruleId), ['R1'])
  })

  test('maxEvents: past the cap the oldest max(1, floor(cap / 10)) go at once', () => {
    for (const [cap, trim] of [[1, 1], [9, 1], [10, 1], [25, 2], [100, 10]]) {
      const ledger = createLedger(cap)
      const logged = []
      for (let i = 0; i <= cap; i++) logged.push(ledger.logEvent({ i }))
      assert.equal(ledger.eventCount, cap + 1 - trim, `cap ${cap}`)
      assert.deepEqual(ledger.getEvents(), logged.slice(trim))
    }
  })

  test('importEvents keeps ids and objects, takes hundreds of thousands at once', () => {
    const ledger = new RunLedger()
    const many = Array.from({ length: 300_000 }, (_, i) => ({ eventId: `id-${i}`, timestamp: i }))
    ledger.importEvents(many)
    assert.equal(ledger.eventCount, 300_000)
    assert.equal(ledger.getEvents()[123_456], many[123_456])
    assert.equal(ledger.getEventsInRange(10, 19).length, 10)
  })

  test('evaluate awaits each evaluator before starting the next', async () => {
    const ledger = new RunLedger()
    for (const name of ['tests-pass', 'forbidden-command-scan', 'forbidden-dependency-scan', 'violation-rate', 'diff-quality']) {
      ledger.removeEvaluator(name)
    }
    const log = []
    for (const name of ['a', 'b', 'c']) {
      ledger.addEvaluator({
        name,
        type: 'subjective',
        async evaluate() {
          log.push(`start ${name}`)
          await new Promise((resolve) => setImmediate(resolve))
          log.push(`end ${name}`)
          return { name, passed: true, details: '' }
        },
      })
    }
    const results = await ledger.evaluate(makeEvent(0))
    assert.deepEqual(results.map((r) => r.name), ['a', 'b', 'c'])
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  test('the package entry points export these very classes, and not the hooks', async () => {
    const cjs = require('../index.js')
    const esm = await import('../index.mjs')
    for (const mod of [cjs, esm]) {
      assert.equal(mod.RunLedger, RunLedger)
      assert.equal(mod.createLedger, createLedger)
      assert.equal(mod.TestsPassEvaluator, TestsPassEvaluator)
      assert.equal(mod.DiffQualityEvaluator, DiffQualityEvaluator)
      assert.equal(mod.kAdmit, undefined)
    }
    assert.ok(createLedger() instanceof RunLedger)
  })
})

describe('arguments of the wrong type are refused, naming the argument', () => {
  test('RunLedger / createLedger', () => {
    throwsArg(() => new RunLedger('x'), 'maxEvents')
    throwsArg(() => new RunLedger('5'), 'maxEvents')
    throwsArg(() => new RunLedger(null), 'maxEvents')
    throwsArg(() => new RunLedger(5n), 'maxEvents')
    throwsArg(() => new RunLedger(NaN), 'maxEvents')
    throwsArg(() => createLedger({}), 'maxEvents')
    assert.equal(new RunLedger(undefined).maxEvents, 0)
  })

  test('query methods', () => {
    const ledger = new RunLedger()
    ledger.logEvent(makeEvent(0))
    throwsArg(() => ledger.getRecentEvents('3'), 'count')
    throwsArg(() => ledger.getRecentEvents(), 'count')
    throwsArg(() => ledger.getRecentEvents(NaN), 'count')
    throwsArg(() => ledger.getEventsInRange(NaN, 1), 'startMs')
    throwsArg(() => ledger.getEventsInRange('a', 1), 'startMs')
    throwsArg(() => ledger.getEventsInRange(1, '2'), 'endMs')
    throwsArg(() => ledger.getEventsInRange(new Date(0), Date.now()), 'startMs')
    throwsArg(() => ledger.getEventsByTask(7), 'taskId')
    throwsArg(() => ledger.computeMetrics('events'), 'events')
    throwsArg(() => ledger.computeMetrics({ length: 0 }), 'events')
    throwsArg(() => ledger.rankViolations(5), 'windowEvents')
  })

  test('logging methods leave the ledger unchanged', () => {
    const ledger = new RunLedger()
    throwsArg(() => ledger.logEvent(null), 'event')
    throwsArg(() => ledger.logEvent(undefined), 'event')
    throwsArg(() => ledger.logEvent('abc'), 'event')
    throwsArg(() => ledger.logEvent([makeEvent(0)]), 'event')
    throwsArg(() => ledger.finalizeEvent(null), 'event')
    throwsArg(() => ledger.finalizeEvent({ taskId: 't' }), 'event.timestamp')
    throwsArg(() => ledger.finalizeEvent({ timestamp: '2024-01-01' }), 'event.timestamp')
    throwsArg(() => ledger.importEvents(null), 'events')
    throwsArg(() => ledger.importEvents('abc'), 'events')
    throwsArg(() => ledger.importEvents([makeEvent(0), null]), 'events[1]')
    // eslint-disable-next-line no-sparse-arrays
    throwsArg(() => ledger.importEvents([makeEvent(0), , makeEvent(1)]), 'events[1]')
    throwsArg(() => ledger.createEvent(1, 'feature', 'h'), 'taskId')
    throwsArg(() => ledger.createEvent('t', undefined, 'h'), 'intent')
    throwsArg(() => ledger.createEvent('t', 'feature'), 'guidanceHash')
    assert.equal(ledger.eventCount, 0)
  })

  test('evaluator management and evaluate', async () => {
    const ledger = new RunLedger()
    throwsArg(() => ledger.addEvaluator(null), 'evaluator')
    throwsArg(() => ledger.addEvaluator({ name: 'x', type: 'objective' }), 'evaluator')
    throwsArg(() => ledger.addEvaluator(async () => ({})), 'evaluator')
    throwsArg(() => ledger.removeEvaluator(undefined), 'name')
    await assert.rejects(ledger.evaluate(null), namesArg('event'))
    assert.equal((await ledger.evaluate(makeEvent(0))).length, 5, 'refused evaluators were not added')
  })

  test('evaluator constructors and evaluate', async () => {
    throwsArg(() => new ForbiddenCommandEvaluator('rm -rf'), 'forbiddenPatterns')
    throwsArg(() => new ForbiddenCommandEvaluator([/a/, 'b']), 'forbiddenPatterns[1]')
    throwsArg(() => new ForbiddenDependencyEvaluator('left-pad'), 'forbiddenPackages')
    throwsArg(() => new ForbiddenDependencyEvaluator(['ok', 3]), 'forbiddenPackages[1]')
    throwsArg(() => new ViolationRateEvaluator('2'), 'maxViolations')
    throwsArg(() => new ViolationRateEvaluator(null), 'maxViolations')
    throwsArg(() => new DiffQualityEvaluator('0.3'), 'maxReworkRatio')
    throwsArg(() => new DiffQualityEvaluator(NaN), 'maxReworkRatio')
    throwsArg(() => new ViolationRateEvaluator(NaN), 'maxViolations')
    for (const E of [TestsPassEvaluator, ForbiddenCommandEvaluator, ForbiddenDependencyEvaluator, ViolationRateEvaluator, DiffQualityEvaluator]) {
      await assert.rejects(new E().evaluate(undefined), namesArg('event'))
    }
    // null means "use the default", as in the original.
    assert.equal(new ForbiddenCommandEvaluator(null).forbiddenPatterns.length, 5)
    assert.deepEqual(new ForbiddenDependencyEvaluator(null).forbiddenPackages, [])
    // RegExp-like objects worked in the original and still do.
    const like = { source: 'rm', test: (s) => s.includes('rm') }
    const r = await new ForbiddenCommandEvaluator([like]).evaluate({ ...makeEvent(0), toolsUsed: ['rm x'] })
    assert.equal(r.passed, false)
  })
})

describe('subclass hook: kAdmit / kRestore', () => {
  class Recording extends RunLedger {
    constructor(maxEvents, refuse = () => false) {
      super(maxEvents)
      this.admitted = []
      this.refuse = refuse
    }
    [kAdmit](events, source) {
      for (const e of events) {
        // Called before storing: the event is not in memory yet.
        assert.ok(!this.events.includes(e))
        if (this.refuse(e)) throw new TypeError(`refused ${e.taskId}`)
      }
      this.admitted.push([source, events])
    }
  }

  test('sees every accepted event, fully formed, in call order, and exactly what is stored', () => {
    const ledger = new Recording(0)
    const a = ledger.logEvent(makeEvent(0, { eventId: false }))
    const draft = ledger.createEvent('t-final', 'feature', 'h')
    const b = ledger.finalizeEvent(draft)
    const imported = makeEvents(3, 5)
    ledger.importEvents(imported)
    const c = ledger.logEvent(makeEvent(9))
    assert.deepEqual(ledger.admitted.map(([source, events]) => [source, events.length]), [['log', 1], ['finalize', 1], ['import', 3], ['log', 1]])
    assert.equal(ledger.admitted[0][1][0], a)
    assert.match(ledger.admitted[0][1][0].eventId, UUID_V4)
    assert.equal(ledger.admitted[1][1][0], b)
    assert.equal(typeof ledger.admitted[1][1][0].durationMs, 'number')
    assert.notEqual(ledger.admitted[2][1], imported, 'the hook gets its own array')
    assert.deepEqual(ledger.admitted[2][1], imported)
    assert.deepEqual(ledger.getEvents(), ledger.admitted.flatMap(([, events]) => events))
    assert.equal(ledger.getEvents()[5], c)
  })

  test('a refusal stores nothing and reaches the caller', () => {
    const ledger = new Recording(0, (e) => e.taskId === 'bad')
    ledger.logEvent({ taskId: 'ok' })
    assert.throws(() => ledger.logEvent({ taskId: 'bad' }), /refused bad/)
    assert.throws(() => ledger.importEvents([{ taskId: 'fine' }, { taskId: 'bad' }]), /refused bad/)
    const withDuration = { taskId: 'bad', timestamp: Date.now() - 1000, durationMs: 7 }
    assert.throws(() => ledger.finalizeEvent(withDuration), /refused bad/)
    assert.equal(withDuration.durationMs, 7, 'finalizeEvent puts back the previous duration')
    const withoutDuration = { taskId: 'bad', timestamp: Date.now() }
    assert.throws(() => ledger.finalizeEvent(withoutDuration), /refused bad/)
    assert.ok(!('durationMs' in withoutDuration))
    assert.deepEqual(ledger.getEvents().map((e) => e.taskId), ['ok'])
    assert.equal(ledger.admitted.length, 1)
  })

  test('a serializing hook refuses BigInt and cycles before they reach memory', () => {
    class Serializing extends RunLedger {
      lines = [];
      [kAdmit](events) {
        const text = events.map((e) => JSON.stringify(e)) // throws TypeError on BigInt / cycles
        this.lines.push(...text)
      }
    }
    const ledger = new Serializing()
    const cyclic = { taskId: 'c' }
    cyclic.self = cyclic
    assert.throws(() => ledger.logEvent({ taskId: 'b', big: 1n }), TypeError)
    assert.throws(() => ledger.logEvent(cyclic), TypeError)
    assert.throws(() => ledger.importEvents([{ taskId: 'fine' }, { n: 2n }]), TypeError)
    const ok = ledger.logEvent({ taskId: 'ok' })
    assert.equal(ledger.eventCount, 1)
    assert.deepEqual(ledger.lines, [JSON.stringify(ok)])
  })

  test('eviction is unchanged by the hook', () => {
    const ledger = new Recording(10)
    for (let i = 0; i < 25; i++) ledger.logEvent({ taskId: `t${i}` })
    assert.equal(ledger.admitted.length, 25)
    assert.deepEqual(ledger.getEvents().map((e) => e.taskId), Array.from({ length: 11 }, (_, i) => `t${14 + i}`).slice(1))
  })

  test('kRestore stores without admission and without eviction', () => {
    const ledger = new Recording(2, () => true)
    const events = makeEvents(5, 8)
    ledger[kRestore](events)
    assert.equal(ledger.eventCount, 5)
    assert.equal(ledger.getEvents()[4], events[4])
    assert.equal(ledger.admitted.length, 0)
    throwsArg(() => ledger[kRestore]('x'), 'events')
  })

  test('user subclasses override public methods as with the original', () => {
    class Tagged extends RunLedger {
      logEvent(event) {
        return super.logEvent({ ...event, tag: 'x' })
      }
    }
    const ledger = new Tagged(0)
    assert.equal(ledger.logEvent({ taskId: 't' }).tag, 'x')
    assert.equal(ledger.getEventsByTask('t').length, 1)
    assert.ok(ledger instanceof RunLedger)
  })
})
