// `native-ledger/ledger`: what @claude-flow/guidance/ledger exports.
export * from './lib/run-ledger'
export * from './lib/evaluators'
