// Public typings. Each module's declarations live beside it in lib/*.d.ts.
export * from './lib/event-store'
export * from './lib/persistent-ledger'
export * from './lib/run-ledger'
export * from './lib/evaluators'
export * from './lib/append-log'
