'use strict'
// `native-ledger/ledger`: the exports of @claude-flow/guidance/ledger.
const { RunLedger, createLedger } = require('./lib/run-ledger.js')
const {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} = require('./lib/evaluators.js')

module.exports = {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
  RunLedger,
  createLedger,
}
