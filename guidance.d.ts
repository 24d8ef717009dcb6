// `require('native-ledger/guidance')` typings: the same declarations as guidance.d.mts. guidance is
// ES modules only, so a CommonJS declaration file reaches its classes through import types with
// resolution-mode "import" (accepted by module node16 and nodenext alike).
type GuidanceLedger = typeof import('@claude-flow/guidance/ledger', { with: { 'resolution-mode': 'import' } })
type GuidancePersistence = typeof import('@claude-flow/guidance/persistence', { with: { 'resolution-mode': 'import' } })
import type { PersistenceConfig } from '@claude-flow/guidance/persistence' with { 'resolution-mode': 'import' }

export type { PersistenceConfig, StorageStats } from '@claude-flow/guidance/persistence' with { 'resolution-mode': 'import' }
export type { IEvaluator } from '@claude-flow/guidance/ledger' with { 'resolution-mode': 'import' }
export type {
  RunEvent,
  Violation,
  EvaluatorResult,
  TaskIntent,
  OptimizationMetrics,
  ViolationRanking,
} from 'native-ledger'

declare const GuidanceRunLedger: GuidanceLedger['RunLedger']
declare const GuidanceEventStore: GuidancePersistence['EventStore']
declare const GuidancePersistentLedger: GuidancePersistence['PersistentLedger']
declare const GuidanceTestsPassEvaluator: GuidanceLedger['TestsPassEvaluator']
declare const GuidanceForbiddenCommandEvaluator: GuidanceLedger['ForbiddenCommandEvaluator']
declare const GuidanceForbiddenDependencyEvaluator: GuidanceLedger['ForbiddenDependencyEvaluator']
declare const GuidanceViolationRateEvaluator: GuidanceLedger['ViolationRateEvaluator']
declare const GuidanceDiffQualityEvaluator: GuidanceLedger['DiffQualityEvaluator']

export declare class RunLedger extends GuidanceRunLedger {
  constructor(maxEvents?: number)
}
export declare function createLedger(maxEvents?: number): RunLedger

export declare class EventStore extends GuidanceEventStore {
  /** @throws TypeError when `storagePath` is not a string. */
  constructor(storagePath: string)
}
export declare function createEventStore(path: string): EventStore

export declare class PersistentLedger extends GuidancePersistentLedger {
  constructor(config?: Partial<PersistenceConfig>)
  /** Resolves once every accepted event is on stable storage; rejects with the cause of a failed write. */
  flush(): Promise<void>
  getEventStore(): EventStore
}
export declare function createPersistentLedger(config?: Partial<PersistenceConfig>): PersistentLedger

export declare class TestsPassEvaluator extends GuidanceTestsPassEvaluator {}
export declare class ForbiddenCommandEvaluator extends GuidanceForbiddenCommandEvaluator {}
export declare class ForbiddenDependencyEvaluator extends GuidanceForbiddenDependencyEvaluator {}
export declare class ViolationRateEvaluator extends GuidanceViolationRateEvaluator {}
export declare class DiffQualityEvaluator extends GuidanceDiffQualityEvaluator {}
