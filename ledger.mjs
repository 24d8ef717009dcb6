import ledger from './ledger.js'

export const {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
  RunLedger,
  createLedger,
} = ledger
export default ledger
