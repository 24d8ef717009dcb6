'use strict'
// The in-memory run ledger. Plain JavaScript on purpose: it holds the caller's own objects (the
// getters hand back the very events that were logged, so a caller's later mutation shows up in
// computeMetrics, as with the original) and does no I/O, so a native layer would only add
// conversions. Results must equal the original's, including key order and float bits, so the
// arithmetic below adds in the same order as the original.
const { randomUUID } = require('node:crypto')
const {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} = require('./evaluators.js')
const {
  describe,
  requireNumber,
  requireString,
  requireEvent,
  requireArray,
  requireOptionalArray,
  isEventLike,
} = require('./ledger-args.js')

/**
 * Protected admission hook for subclasses (PersistentLedger). `this[kAdmit](events, source)` is
 * called with the fully formed event(s) that `logEvent` ('log'), `finalizeEvent` ('finalize') or
 * `importEvents` ('import') is about to store, before anything is stored, once per call and in
 * call order. If it throws, nothing is stored (finalizeEvent also puts back the caller's previous
 * `durationMs`) and the error propagates to the caller. The array is the hook's to keep.
 * Not part of the package's public exports.
 */
const kAdmit = Symbol('RunLedger.admit')

/**
 * Protected: `this[kRestore](events)` appends events to memory without admission and without
 * eviction (as importEvents does), for a subclass that reloads events it already holds on disk.
 */
const kRestore = Symbol('RunLedger.restore')

class RunLedger {
  /** @param {number} [maxEvents=0] events kept in memory; 0 (or less) keeps all */
  constructor(maxEvents = 0) {
    requireNumber(maxEvents, 'maxEvents')
    // Own properties, in the original's order: JS callers of the original can see them.
    this.events = []
    this.evaluators = [
      new TestsPassEvaluator(),
      new ForbiddenCommandEvaluator(),
      new ForbiddenDependencyEvaluator(),
      new ViolationRateEvaluator(),
      new DiffQualityEvaluator(),
    ]
    this.maxEvents = maxEvents
  }

  addEvaluator(evaluator) {
    if (evaluator === null || typeof evaluator !== 'object' || typeof evaluator.evaluate !== 'function') {
      throw new TypeError(`evaluator must be an object with an evaluate() method, got ${describe(evaluator)}`)
    }
    this.evaluators.push(evaluator)
  }

  // Replaces the array rather than splicing it: an evaluate() already running keeps iterating
  // the list it started with, as in the original.
  removeEvaluator(name) {
    requireString(name, 'name')
    this.evaluators = this.evaluators.filter((evaluator) => evaluator.name !== name)
  }

  logEvent(event) {
    requireEvent(event, 'event')
    const logged = { ...event, eventId: randomUUID() }
    this[kAdmit]([logged], 'log')
    this.events.push(logged)
    this.evictIfNeeded()
    return logged
  }

  createEvent(taskId, intent, guidanceHash) {
    requireString(taskId, 'taskId')
    requireString(intent, 'intent')
    requireString(guidanceHash, 'guidanceHash')
    return {
      eventId: randomUUID(),
      taskId,
      guidanceHash,
      retrievedRuleIds: [],
      toolsUsed: [],
      filesTouched: [],
      diffSummary: { linesAdded: 0, linesRemoved: 0, filesChanged: 0 },
      testResults: { ran: false, passed: 0, failed: 0, skipped: 0 },
      violations: [],
      outcomeAccepted: null,
      reworkLines: 0,
      intent,
      timestamp: Date.now(),
      durationMs: 0,
    }
  }

  // Stores the caller's object itself (not a copy), as the original does.
  finalizeEvent(event) {
    requireEvent(event, 'event')
    requireNumber(event.timestamp, 'event.timestamp')
    const hadDuration = Object.prototype.hasOwnProperty.call(event, 'durationMs')
    const previousDuration = event.durationMs
    event.durationMs = Date.now() - event.timestamp
    try {
      this[kAdmit]([event], 'finalize')
    } catch (err) {
      if (hadDuration) event.durationMs = previousDuration
      else delete event.durationMs
      throw err
    }
    this.events.push(event)
    this.evictIfNeeded()
    return event
  }

  // Drops a tenth of the cap at once so that a full ledger does not shift its array on every log.
  evictIfNeeded() {
    if (this.maxEvents > 0 && this.events.length > this.maxEvents) {
      this.events.splice(0, Math.max(1, Math.floor(this.maxEvents * 0.1)))
    }
  }

  async evaluate(event) {
    requireEvent(event, 'event')
    const results = []
    for (const evaluator of this.evaluators) {
      results.push(await evaluator.evaluate(event))
    }
    return results
  }

  getEvents() {
    return this.events.slice()
  }

  getEventsByTask(taskId) {
    requireString(taskId, 'taskId')
    return this.events.filter((event) => event.taskId === taskId)
  }

  getEventsInRange(startMs, endMs) {
    requireNumber(startMs, 'startMs')
    requireNumber(endMs, 'endMs')
    return this.events.filter((event) => event.timestamp >= startMs && event.timestamp <= endMs)
  }

  // As in the original, the count goes through slice(-count): 0 (like any count that is not
  // positive) returns every event.
  getRecentEvents(count) {
    requireNumber(count, 'count')
    return this.events.slice(-count)
  }

  computeMetrics(events) {
    requireOptionalArray(events, 'events')
    const list = events ?? this.events
    const n = list.length
    if (n === 0) {
      return { violationRate: 0, selfCorrectionRate: 0, reworkLines: 0, clarifyingQuestions: 0, taskCount: 0 }
    }
    let violations = 0
    let corrected = 0
    let rework = 0
    for (const event of list) {
      violations += event.violations.length
      for (const violation of event.violations) if (violation.autoCorrected) corrected++
      rework += event.reworkLines
    }
    return {
      violationRate: (violations / n) * 10,
      selfCorrectionRate: violations > 0 ? corrected / violations : 1,
      reworkLines: rework / n,
      // The original has no source for this yet and always reports 0.
      clarifyingQuestions: 0,
      taskCount: n,
    }
  }

  rankViolations(windowEvents) {
    requireOptionalArray(windowEvents, 'windowEvents')
    const list = windowEvents ?? this.events
    // Map keeps first-seen order, which decides the order of equal scores after the stable sort.
    const byRule = new Map()
    for (const event of list) {
      for (const { ruleId } of event.violations) {
        let stats = byRule.get(ruleId)
        if (stats === undefined) {
          stats = { frequency: 0, totalRework: 0 }
          byRule.set(ruleId, stats)
        }
        stats.frequency++
        stats.totalRework += event.reworkLines
      }
    }
    const rankings = []
    for (const [ruleId, { frequency, totalRework }] of byRule) {
      const cost = totalRework / frequency
      rankings.push({ ruleId, frequency, cost, score: frequency * cost })
    }
    return rankings.sort((a, b) => b.score - a.score)
  }

  get eventCount() {
    return this.events.length
  }

  exportEvents() {
    return this.events.slice()
  }

  // Like the original: the objects are stored as given (no new eventId) and the cap is not
  // applied until the next logEvent/finalizeEvent.
  importEvents(events) {
    requireArray(events, 'events')
    const admitted = events.slice()
    for (let i = 0; i < admitted.length; i++) {
      if (!isEventLike(admitted[i])) requireEvent(admitted[i], `events[${i}]`)
    }
    this[kAdmit](admitted, 'import')
    appendAll(this.events, admitted)
  }

  clear() {
    this.events = []
  }

  [kAdmit](_events, _source) {}

  [kRestore](events) {
    requireArray(events, 'events')
    appendAll(this.events, events)
  }
}

// A loop, not push(...events): spreading a few hundred thousand arguments overflows the stack.
function appendAll(target, events) {
  for (const event of events) target.push(event)
}

function createLedger(maxEvents = 0) {
  return new RunLedger(maxEvents)
}

module.exports = { RunLedger, createLedger, kAdmit, kRestore }
