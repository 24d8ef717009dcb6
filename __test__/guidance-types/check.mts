// Compile-time check (tsc --strict, see guidance.test.mjs): code typed against
// @claude-flow/guidance's own classes accepts native-ledger/guidance's values, with no cast.
// The test also compiles it as check.cts, a CommonJS module (the "require" typings).
// guidance's classes have private members, so only subclasses of them pass these assignments.
import type { PersistentLedger as GPersistentLedger, EventStore as GEventStore } from '@claude-flow/guidance/persistence'
import type {
  RunLedger as GRunLedger,
  TestsPassEvaluator as GTestsPass,
  ForbiddenCommandEvaluator as GForbiddenCommand,
  ForbiddenDependencyEvaluator as GForbiddenDependency,
  ViolationRateEvaluator as GViolationRate,
  DiffQualityEvaluator as GDiffQuality,
  IEvaluator,
} from '@claude-flow/guidance/ledger'
import type { PolicyBundle, RunEvent } from '@claude-flow/guidance'
import { createGuidanceHooks } from '@claude-flow/guidance/hooks'
import { createHeadlessRunner, HeadlessRunner } from '@claude-flow/guidance/headless'
import { OptimizerLoop } from '@claude-flow/guidance/optimizer'
import { SimulatedRuntime, type SimulatedRuntimeConfig, type CellRuntime } from '@claude-flow/guidance/conformance-kit'
import { createGates } from '@claude-flow/guidance/gates'
import { createRetriever } from '@claude-flow/guidance/retriever'
import {
  RunLedger,
  PersistentLedger,
  EventStore,
  createLedger,
  createPersistentLedger,
  createEventStore,
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} from 'native-ledger/guidance'

// ---- assigned to every guidance class type ----------------------------------------------------
const persistent: GPersistentLedger = new PersistentLedger({ storagePath: '.x' })
const persistentAsRun: GRunLedger = createPersistentLedger()
const run: GRunLedger = new RunLedger(100)
const run2: GRunLedger = createLedger()
const store: GEventStore = new EventStore('.x')
const store2: GEventStore = createEventStore('.x')
const ledgersStore: GEventStore = persistent.getEventStore()
const evaluators: [GTestsPass, GForbiddenCommand, GForbiddenDependency, GViolationRate, GDiffQuality] = [
  new TestsPassEvaluator(),
  new ForbiddenCommandEvaluator([/rm -rf/]),
  new ForbiddenDependencyEvaluator(['left-pad']),
  new ViolationRateEvaluator(2),
  new DiffQualityEvaluator(0.5),
]
const asInterface: IEvaluator[] = evaluators
void [persistentAsRun, run2, store, store2, ledgersStore, asInterface]

// native-ledger's own additions stay visible through its types.
const flushed: Promise<void> = new PersistentLedger().flush()
const ours: EventStore = new PersistentLedger().getEventStore()
void [flushed, ours]

// ---- passed to every guidance API that takes a ledger -------------------------------------------
const ledger = new PersistentLedger({ storagePath: '.x' })
const { provider, hookIds } = createGuidanceHooks(createGates(), createRetriever(), ledger)
const hooksOverRun = createGuidanceHooks(createGates(), createRetriever(), run)
const runner: HeadlessRunner = createHeadlessRunner(undefined, ledger)
runner.setLedger(run)
new HeadlessRunner(undefined, persistent, 'hash')
declare const bundle: PolicyBundle
const cycle = new OptimizerLoop().runCycle(ledger, bundle)
const cycleOverRun = new OptimizerLoop().runCycle(run, bundle)
declare const config: Omit<SimulatedRuntimeConfig, 'ledger'>
const runtimeConfig: SimulatedRuntimeConfig = { ...config, ledger }
const runtime: CellRuntime = new SimulatedRuntime({ ...config, ledger: run })
const fromRuntime: GRunLedger = runtime.getLedger()
void [provider, hookIds, hooksOverRun, cycle, cycleOverRun, runtimeConfig, fromRuntime]

// Events flow between both sides' types.
const logged: RunEvent = ledger.logEvent(ledger.createEvent('task-1', 'feature', 'hash'))
const read: Promise<RunEvent[]> = ledgersStore.readAll()
void [logged, read]
