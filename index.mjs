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
