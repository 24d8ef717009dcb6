// `native-ledger/guidance`: native-ledger's classes declared as subclasses of
// @claude-flow/guidance's own, so that TypeScript (which compares classes with private members by
// declaration) accepts them wherever guidance's APIs take its classes. Behaviour: native-ledger's
// (see README).
import * as guidanceLedger from '@claude-flow/guidance/ledger'
import * as guidancePersistence from '@claude-flow/guidance/persistence'
import type { PersistenceConfig } from '@claude-flow/guidance/persistence'

export type { PersistenceConfig, StorageStats } from '@claude-flow/guidance/persistence'
export type { IEvaluator } from '@claude-flow/guidance/ledger'
export type {
  RunEvent,
  Violation,
  EvaluatorResult,
  TaskIntent,
  OptimizationMetrics,
  ViolationRanking,
} from 'native-ledger'

export declare class RunLedger extends guidanceLedger.RunLedger {
  constructor(maxEvents?: number)
}
export declare function createLedger(maxEvents?: number): RunLedger

export declare class EventStore extends guidancePersistence.EventStore {
  /** @throws TypeError when `storagePath` is not a string. */
  constructor(storagePath: string)
}
export declare function createEventStore(path: string): EventStore

export declare class PersistentLedger extends guidancePersistence.PersistentLedger {
  constructor(config?: Partial<PersistenceConfig>)
  /** Resolves once every accepted event is on stable storage; rejects with the cause of a failed write. */
  flush(): Promise<void>
  getEventStore(): EventStore
}
export declare function createPersistentLedger(config?: Partial<PersistenceConfig>): PersistentLedger

export declare class TestsPassEvaluator extends guidanceLedger.TestsPassEvaluator {}
export declare class ForbiddenCommandEvaluator extends guidanceLedger.ForbiddenCommandEvaluator {}
export declare class ForbiddenDependencyEvaluator extends guidanceLedger.ForbiddenDependencyEvaluator {}
export declare class ViolationRateEvaluator extends guidanceLedger.ViolationRateEvaluator {}
export declare class DiffQualityEvaluator extends guidanceLedger.DiffQualityEvaluator {}
