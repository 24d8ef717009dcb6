import type { RunEvent, EvaluatorResult, TaskIntent, OptimizationMetrics, ViolationRanking } from './types'
import type { IEvaluator } from './evaluators'

export type {
  RunEvent,
  Violation,
  EvaluatorResult,
  TaskIntent,
  RiskClass,
  OptimizationMetrics,
  ViolationRanking,
} from './types'
export type { IEvaluator } from './evaluators'

/**
 * In-memory ledger of run events. Everything is synchronous except `evaluate`. The getters
 * return new arrays holding the very objects that were stored.
 */
export declare class RunLedger {
  private events
  private evaluators
  private readonly maxEvents
  /**
   * @param maxEvents events kept in memory (0 = all). Past the cap, the oldest
   *   max(1, floor(maxEvents * 0.1)) are dropped at once.
   */
  constructor(maxEvents?: number)
  /** Appends an evaluator; it runs after those already registered. */
  addEvaluator(evaluator: IEvaluator): void
  /** Removes every evaluator with this name. */
  removeEvaluator(name: string): void
  /** Stores and returns `{ ...event, eventId: <new UUID v4> }`; a given eventId is replaced. */
  logEvent(event: RunEvent | Omit<RunEvent, 'eventId'>): RunEvent
  /** A new event with empty lists, zero counts and `timestamp: Date.now()`; not stored. */
  createEvent(taskId: string, intent: TaskIntent, guidanceHash: string): RunEvent
  /** Sets `durationMs = Date.now() - timestamp`, stores the object itself and returns it. */
  finalizeEvent(event: RunEvent): RunEvent
  private evictIfNeeded
  /** Runs the evaluators in order, awaiting each. */
  evaluate(event: RunEvent): Promise<EvaluatorResult[]>
  getEvents(): RunEvent[]
  getEventsByTask(taskId: string): RunEvent[]
  /** Events with startMs <= timestamp <= endMs, in ledger order. */
  getEventsInRange(startMs: number, endMs: number): RunEvent[]
  /** The last `count` events (as `slice(-count)`: 0 returns all). */
  getRecentEvents(count: number): RunEvent[]
  /** Metrics of `events`, or of the whole ledger when omitted. */
  computeMetrics(events?: RunEvent[]): OptimizationMetrics
  /** Rules by frequency * mean rework, highest first, over `windowEvents` or the whole ledger. */
  rankViolations(windowEvents?: RunEvent[]): ViolationRanking[]
  get eventCount(): number
  exportEvents(): RunEvent[]
  /** Appends the objects as given (ids kept); the cap applies from the next log. */
  importEvents(events: RunEvent[]): void
  clear(): void
}

export declare function createLedger(maxEvents?: number): RunLedger
