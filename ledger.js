'use strict'
// `native-ledger/ledger`: the exports of @claude-flow/guidance/ledger.
const { RunLedger, createLedger } = require('./lib/run-ledger.js')

module.exports = { ...require('./lib/evaluators.js'), RunLedger, createLedger }
