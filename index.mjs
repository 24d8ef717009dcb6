// `import` of the main entry. The names are spelled out: `export *` from a CommonJS module
// would also export Node 24's 'module.exports' name.
import ledger from './index.js'

export const {
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
} = ledger
export default ledger
