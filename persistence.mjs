import persistence from './persistence.js'

export const { EventStore, PersistentLedger, createPersistentLedger, createEventStore } = persistence
export default persistence
