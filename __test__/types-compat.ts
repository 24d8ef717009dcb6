// Compile-time check (tsc -p __test__/tsconfig.json): code typed against the original
// @claude-flow/guidance ledger/persistence typings accepts ours, and the reverse.
//
// Classes with private members are nominal in TypeScript, so neither side's class type is
// assignable to the other's. What code can use is the public surface, so that is what is
// compared. Pub<T> keeps T's public members, for assigning our values where the original's are
// expected; Sig<T> spells each method as its exact parameter list and result, and each check
// requires both sides' Sig to be assignable to each other, so a parameter that differs at all
// (type, or optional against required) fails to compile.
import {
  RunLedger,
  createLedger,
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
  EventStore,
  PersistentLedger,
  createEventStore,
  createPersistentLedger,
} from '..'
import type {
  IEvaluator,
  RunEvent,
  Violation,
  EvaluatorResult,
  TaskIntent,
  OptimizationMetrics,
  ViolationRanking,
  PersistenceConfig,
  StorageStats,
} from '..'
import type * as OrigLedger from '../.original/dist/ledger.js'
import type * as OrigTypes from '../.original/dist/types.js'
import type * as OrigPersistence from '../.original/dist/persistence.js'

type Pub<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => R : T[K] }
type Sig<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? { args: A; returns: R } : T[K] }
/** Fails to compile unless A and B are assignable to each other. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
function check<T extends true>(): T | void {}

// ---- data types: identical in both directions ------------------------------------------------
check<Mutual<RunEvent, OrigTypes.RunEvent>>()
check<Mutual<Omit<RunEvent, 'eventId'>, Omit<OrigTypes.RunEvent, 'eventId'>>>()
check<Mutual<Violation, OrigTypes.Violation>>()
check<Mutual<EvaluatorResult, OrigTypes.EvaluatorResult>>()
check<Mutual<TaskIntent, OrigTypes.TaskIntent>>()
check<Mutual<OptimizationMetrics, OrigTypes.OptimizationMetrics>>()
check<Mutual<ViolationRanking, OrigTypes.ViolationRanking>>()
check<Mutual<IEvaluator, OrigLedger.IEvaluator>>()

// ---- RunLedger and createLedger ---------------------------------------------------------------
check<Mutual<Sig<RunLedger>, Sig<OrigLedger.RunLedger>>>()
check<Mutual<ConstructorParameters<typeof RunLedger>, ConstructorParameters<typeof OrigLedger.RunLedger>>>()
check<Mutual<Parameters<typeof createLedger>, Parameters<typeof OrigLedger.createLedger>>>()
check<Mutual<Sig<ReturnType<typeof createLedger>>, Sig<ReturnType<typeof OrigLedger.createLedger>>>>()

// Code written against the original's types, handed our values:
const asOrigCtor: new (...args: ConstructorParameters<typeof OrigLedger.RunLedger>) => Pub<OrigLedger.RunLedger> = RunLedger
const asOrigFactory: (...args: Parameters<typeof OrigLedger.createLedger>) => Pub<OrigLedger.RunLedger> = createLedger
const ledger: Pub<OrigLedger.RunLedger> = new asOrigCtor(100)
void asOrigFactory

// Method by method, with the original's types flowing in and out.
declare const origEvent: OrigTypes.RunEvent
declare const origEvaluator: OrigLedger.IEvaluator
const ours = createLedger()
ours.addEvaluator(origEvaluator)
ours.removeEvaluator('tests-pass')
const logged: OrigTypes.RunEvent = ours.logEvent(origEvent)
const { eventId: _dropped, ...withoutId } = origEvent
ours.logEvent(withoutId)
const created: OrigTypes.RunEvent = ours.createEvent('task-1', 'feature', 'hash')
const finalized: OrigTypes.RunEvent = ours.finalizeEvent(created)
const results: Promise<OrigTypes.EvaluatorResult[]> = ours.evaluate(origEvent)
const all: OrigTypes.RunEvent[] = [
  ...ours.getEvents(),
  ...ours.getEventsByTask('task-1'),
  ...ours.getEventsInRange(0, Date.now()),
  ...ours.getRecentEvents(10),
  ...ours.exportEvents(),
]
const metrics: OrigTypes.OptimizationMetrics = ours.computeMetrics(all)
const metricsAll: OrigTypes.OptimizationMetrics = ours.computeMetrics()
const ranking: OrigTypes.ViolationRanking[] = ours.rankViolations(all)
const rankingAll: OrigTypes.ViolationRanking[] = ours.rankViolations()
const count: number = ours.eventCount
ours.importEvents([origEvent])
ours.clear()
void [ledger, logged, finalized, results, metrics, metricsAll, ranking, rankingAll, count]

// Subclassing works as with the original.
class Audited extends RunLedger {
  audited = 0
  override logEvent(event: RunEvent | Omit<RunEvent, 'eventId'>): RunEvent {
    this.audited++
    return super.logEvent(event)
  }
}
const audited: Pub<OrigLedger.RunLedger> = new Audited(5)
void audited

// ---- evaluators ---------------------------------------------------------------------------------
check<Mutual<Sig<TestsPassEvaluator>, Sig<OrigLedger.TestsPassEvaluator>>>()
check<Mutual<Sig<ForbiddenCommandEvaluator>, Sig<OrigLedger.ForbiddenCommandEvaluator>>>()
check<Mutual<Sig<ForbiddenDependencyEvaluator>, Sig<OrigLedger.ForbiddenDependencyEvaluator>>>()
check<Mutual<Sig<ViolationRateEvaluator>, Sig<OrigLedger.ViolationRateEvaluator>>>()
check<Mutual<Sig<DiffQualityEvaluator>, Sig<OrigLedger.DiffQualityEvaluator>>>()
check<Mutual<ConstructorParameters<typeof TestsPassEvaluator>, ConstructorParameters<typeof OrigLedger.TestsPassEvaluator>>>()
check<Mutual<ConstructorParameters<typeof ForbiddenCommandEvaluator>, ConstructorParameters<typeof OrigLedger.ForbiddenCommandEvaluator>>>()
check<Mutual<ConstructorParameters<typeof ForbiddenDependencyEvaluator>, ConstructorParameters<typeof OrigLedger.ForbiddenDependencyEvaluator>>>()
check<Mutual<ConstructorParameters<typeof ViolationRateEvaluator>, ConstructorParameters<typeof OrigLedger.ViolationRateEvaluator>>>()
check<Mutual<ConstructorParameters<typeof DiffQualityEvaluator>, ConstructorParameters<typeof OrigLedger.DiffQualityEvaluator>>>()

const evaluators: OrigLedger.IEvaluator[] = [
  new TestsPassEvaluator(),
  new ForbiddenCommandEvaluator([/rm -rf/]),
  new ForbiddenDependencyEvaluator(['left-pad']),
  new ViolationRateEvaluator(2),
  new DiffQualityEvaluator(0.5),
]
for (const e of evaluators) ours.addEvaluator(e)

// ---- persistence (lib/event-store.d.ts, lib/persistent-ledger.d.ts) -----------------------------
check<Mutual<PersistenceConfig, OrigPersistence.PersistenceConfig>>()
check<Mutual<StorageStats, OrigPersistence.StorageStats>>()
check<Mutual<Sig<EventStore>, Sig<OrigPersistence.EventStore>>>()
check<Mutual<ConstructorParameters<typeof EventStore>, ConstructorParameters<typeof OrigPersistence.EventStore>>>()
check<Mutual<Parameters<typeof createEventStore>, Parameters<typeof OrigPersistence.createEventStore>>>()
check<Mutual<Sig<ReturnType<typeof createEventStore>>, Sig<ReturnType<typeof OrigPersistence.createEventStore>>>>()

// getEventStore() returns a class with private members on each side, so it is compared by its
// public surface too. Ours adds flush(), so for the ledger only ours -> original is required.
type PubLedger<T extends { getEventStore(): unknown }> = Omit<Pub<T>, 'getEventStore'> & {
  getEventStore: () => Pub<ReturnType<T['getEventStore']>>
}
type AsOrigLedger = PubLedger<OrigPersistence.PersistentLedger>
const pl: AsOrigLedger = new PersistentLedger({ storagePath: '.x' })
const pl2: AsOrigLedger = createPersistentLedger()
const plStore: Pub<OrigPersistence.EventStore> = pl.getEventStore()
check<Mutual<Sig<Omit<PubLedger<PersistentLedger>, 'flush'>>, Sig<AsOrigLedger>>>()
check<Mutual<ConstructorParameters<typeof PersistentLedger>, ConstructorParameters<typeof OrigPersistence.PersistentLedger>>>()
check<Mutual<Parameters<typeof createPersistentLedger>, Parameters<typeof OrigPersistence.createPersistentLedger>>>()
const asRunLedger: RunLedger = new PersistentLedger()
const flushed: Promise<void> = new PersistentLedger().flush()
void [pl, pl2, plStore, asRunLedger, flushed]
