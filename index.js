'use strict'
// Public entry point (CommonJS). index.mjs re-exports the same for `import`.
const { EventStore, createEventStore } = require('./lib/event-store.js')
const { PersistentLedger, createPersistentLedger } = require('./lib/persistent-ledger.js')
const { RunLedger, createLedger } = require('./lib/run-ledger.js')
const {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} = require('./lib/evaluators.js')
const { AppendLog, createAppendLog, createMemoryAppendLog } = require('./lib/append-log.js')

module.exports = {
  EventStore,
  PersistentLedger,
  RunLedger,
  createEventStore,
  createPersistentLedger,
  createLedger,
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
  AppendLog,
  createAppendLog,
  createMemoryAppendLog,
}
