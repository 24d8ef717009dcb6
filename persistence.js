'use strict'
// `native-ledger/persistence`: the exports of @claude-flow/guidance/persistence, native.
const { EventStore, createEventStore } = require('./lib/event-store.js')
const { PersistentLedger, createPersistentLedger } = require('./lib/persistent-ledger.js')

module.exports = { EventStore, PersistentLedger, createPersistentLedger, createEventStore }
