// `native-ledger/persistence`: what @claude-flow/guidance/persistence exports.
export { EventStore, createEventStore } from './lib/event-store'
export type { StorageStats } from './lib/event-store'
export { PersistentLedger, createPersistentLedger } from './lib/persistent-ledger'
export type { PersistenceConfig } from './lib/persistent-ledger'
