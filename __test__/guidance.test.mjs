// native-ledger/guidance: native-ledger's classes as subclasses of @claude-flow/guidance's own
// (devDependency, 3.0.0-alpha.3). guidance's own APIs (hook provider, headless runner, optimizer,
// conformance runtime) are run over native-ledger's ledger and over guidance's own (the original),
// and must give the same results and leave the same files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

import * as ours from 'native-ledger/guidance'
import * as main from 'native-ledger'
import * as gLedger from '@claude-flow/guidance/ledger'
import * as gPersistence from '@claude-flow/guidance/persistence'
import { createGuidanceHooks } from '@claude-flow/guidance/hooks'
import { createHeadlessRunner, createComplianceSuite } from '@claude-flow/guidance/headless'
import { OptimizerLoop } from '@claude-flow/guidance/optimizer'
import { SimulatedRuntime, MemoryClerkCell } from '@claude-flow/guidance/conformance-kit'
import { createMemoryWriteGate } from '@claude-flow/guidance/memory-gate'
import { createProofChain } from '@claude-flow/guidance/proof'
import { createCoherenceScheduler, createEconomicGovernor } from '@claude-flow/guidance/coherence'
import { createCompiler } from '@claude-flow/guidance/compiler'
import { createRetriever } from '@claude-flow/guidance/retriever'
import { createGates } from '@claude-flow/guidance/gates'
import { HookRegistry, HookExecutor, HookEvent } from '@claude-flow/hooks'

const root = new URL('..', import.meta.url).pathname
const require = createRequire(import.meta.url)
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const tempDir = () => mkdtempSync(join(tmpdir(), 'nl-guidance-'))

const CLAUDE_MD = `# Safety
- [SEC-001] Never commit secrets, tokens or credentials (critical) @security
- [SEC-002] Never run rm -rf on the project root #security
## Testing
- [TST-001] Always run the test suite before finishing a task #testing
- [TST-002] New code comes with tests #feature
## Style
- [STY-001] Keep functions under 50 lines #refactor
`

// ---- normalization: what differs between two runs of the same scenario ----------------------------
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/
// Wall-clock readings: the time things took or happened.
const CLOCK_KEYS = /^(timestamp|ts|date|duration|timeMs|durationMs|executionTime|latencyMs|retrievalLatencyMs|createdAt|updatedAt|lastOptimizationRun|startTime|endTime|oldestTimestamp|newestTimestamp|oldestEvent|newestEvent|elapsedMs)$/
// Hashes over content that includes clock readings or ids (the conformance kit's proof chain).
// Hook ids are random; memory values' hashes cover the ids and times the cell writes.
const DERIVED_KEYS = /^(proofEnvelopeHash|previousHash|contentHash|envelopeHash|signature|valueHash|hookId)$/
const CLOCK_TEXT = /\b\d+(\.\d+)?ms\b/g

/** JSON of `value` with ids numbered by first appearance and clock readings blanked. */
function normalize(value) {
  const ids = new Map()
  return JSON.parse(
    JSON.stringify(value, function (key, v) {
      if (v instanceof Date) return '<date>'
      if (CLOCK_KEYS.test(key) && (typeof v === 'number' || typeof v === 'string')) return '<clock>'
      if (DERIVED_KEYS.test(key) && typeof v === 'string') return '<hash>'
      if (typeof v === 'string') {
        if (ISO_DATE.test(v)) return '<date>'
        return v
          .replace(UUID, (id) => {
            if (!ids.has(id)) ids.set(id, `<id ${ids.size}>`)
            return ids.get(id)
          })
          .replace(CLOCK_TEXT, '<n>ms')
      }
      return v
    }),
  )
}

/** The storage folder's files, normalized; native-ledger's index.json also holds ndjsonBytes (README). */
function files(dir) {
  const events = readFileSync(join(dir, 'events.ndjson'), 'utf8')
  const { ndjsonBytes, ...index } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
  return normalize({ events: events.split('\n').map((l) => (l ? JSON.parse(l) : l)), index })
}

/** A deterministic "agent": some runs use forbidden commands or fail tests, so that there are violations to rank. */
const fakeExecutor = (calls = 0) => ({
  async execute(command) {
    const n = [...command].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7 + calls++)
    const toolsUsed = ['Read', 'Edit', n % 3 === 0 ? 'Bash: rm -rf /' : 'Bash: npm test']
    const result = n % 2 === 0 ? 'All tests pass. Done, no secrets were committed.' : 'password=hunter2 Error: 2 tests failed'
    return {
      stdout: JSON.stringify({ result, toolsUsed, filesModified: ['src/app.ts', n % 5 === 0 ? 'package.json' : 'README.md'], hasErrors: n % 4 === 1 }),
      stderr: '',
      exitCode: 0,
    }
  },
})

/** guidance's hook provider, headless runner, optimizer and conformance runtime over `ledger`. */
async function runGuidance(ledger) {
  const compiler = createCompiler()
  const bundle = compiler.compile(CLAUDE_MD)
  const retriever = createRetriever()
  await retriever.loadBundle(bundle)
  const gates = createGates()
  gates.setActiveRules(bundle.constitution.rules)
  const registry = new HookRegistry()
  const { provider, hookIds } = createGuidanceHooks(gates, retriever, ledger, registry)
  const hooks = new HookExecutor(registry)
  const out = { hookIds: hookIds.length, hooks: [] }
  const tasks = [
    ['t-1', 'Fix the login bug in the auth module', 'completed', ['Read', 'Edit']],
    ['t-2', 'Add a feature flag for the new dashboard', 'failed', ['Bash: git push --force origin main']],
    ['t-3', 'Refactor the payment service for clarity', 'completed', ['Grep']],
  ]
  for (const [id, description, status, toolsUsed] of tasks) {
    out.hooks.push(await hooks.execute(HookEvent.PreTask, { task: { id, description } }))
    out.hooks.push(await hooks.execute(HookEvent.PreCommand, { command: { raw: toolsUsed.join(' && ') } }))
    out.hooks.push(await hooks.execute(HookEvent.PostTask, { task: { id, description, status }, metadata: { toolsUsed, filesTouched: ['src/x.ts'] } }))
  }
  out.activeRun = provider.getActiveRun('t-1') ?? null

  const runner = createHeadlessRunner(fakeExecutor(), ledger, bundle.constitution.hash)
  out.suites = []
  for (let i = 0; i < 4; i++) out.suites.push(await runner.runSuite(createComplianceSuite()))

  // The conformance kit's cell, over this ledger.
  const authority = { agentId: 'clerk', role: 'worker', namespaces: ['clerk-workspace'], maxWritesPerMinute: 100, canDelete: false, canOverwrite: true, trustLevel: 0.8 }
  const runtime = new SimulatedRuntime({
    memoryGate: createMemoryWriteGate({ authorities: [authority], enableContradictionTracking: false }),
    proofChain: createProofChain({ signingKey: 'test-key' }),
    ledger,
    coherenceScheduler: createCoherenceScheduler(),
    economicGovernor: createEconomicGovernor({ tokenLimit: 100_000, toolCallLimit: 1_000 }),
    authority,
    initialCoherenceScore: 0.9,
  })
  out.cell = new MemoryClerkCell('clerk-1').run(runtime)
  assert.equal(runtime.getLedger(), ledger)

  const optimizer = new OptimizerLoop()
  out.cycle = await optimizer.runCycle(ledger, bundle)
  out.metrics = ledger.computeMetrics()
  out.rankings = ledger.rankViolations()
  out.events = ledger.getEvents()
  out.eventCount = ledger.eventCount
  return normalize(out)
}

test('the classes are subclasses of guidance’s own, with native-ledger’s methods', () => {
  const run = new ours.RunLedger()
  const persistent = new ours.PersistentLedger({ storagePath: join(tempDir(), 's') })
  const store = new ours.EventStore(join(tempDir(), 's'))
  assert.ok(run instanceof gLedger.RunLedger)
  assert.ok(persistent instanceof gPersistence.PersistentLedger && persistent instanceof gLedger.RunLedger)
  assert.ok(store instanceof gPersistence.EventStore)
  assert.ok(persistent.getEventStore() instanceof gPersistence.EventStore)
  assert.equal(persistent.getEventStore(), persistent.getEventStore())
  for (const name of ['TestsPassEvaluator', 'ForbiddenCommandEvaluator', 'ForbiddenDependencyEvaluator', 'ViolationRateEvaluator', 'DiffQualityEvaluator']) {
    assert.ok(new ours[name]() instanceof gLedger[name], name)
    assert.equal(ours[name].name, name)
  }
  assert.ok(ours.createLedger(5) instanceof gLedger.RunLedger)
  assert.ok(ours.createPersistentLedger({ storagePath: join(tempDir(), 's') }) instanceof gPersistence.PersistentLedger)
  assert.ok(ours.createEventStore(join(tempDir(), 's')) instanceof gPersistence.EventStore)
  // RunLedger and the evaluators run native-ledger's own methods; the others forward every
  // public method of native-ledger's class.
  for (const key of Object.getOwnPropertyNames(main.RunLedger.prototype)) {
    if (key === 'constructor') continue
    assert.equal(Object.getOwnPropertyDescriptor(ours.RunLedger.prototype, key).value, Object.getOwnPropertyDescriptor(main.RunLedger.prototype, key).value, key)
  }
  const publicNames = (cls) => {
    const names = new Set()
    for (let p = cls.prototype; p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Object.getOwnPropertyNames(p)) if (key !== 'constructor' && !key.startsWith('_')) names.add(key)
    }
    return [...names]
  }
  for (const [g, m] of [[ours.PersistentLedger, main.PersistentLedger], [ours.EventStore, main.EventStore]]) {
    for (const key of publicNames(m)) assert.ok(Object.hasOwn(g.prototype, key), `${g.name}.${key} is native-ledger's`)
  }
})

test('require and import give the same classes', () => {
  const cjs = require('native-ledger/guidance')
  assert.equal(cjs.RunLedger, ours.RunLedger)
  assert.equal(cjs.PersistentLedger, ours.PersistentLedger)
  assert.equal(cjs.EventStore, ours.EventStore)
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(ours).filter((k) => k !== 'default').sort())
})

test('native-ledger’s behaviour: arguments checked, state in native-ledger’s shape, events durable', async () => {
  assert.throws(() => new ours.RunLedger('5'), { name: 'TypeError', message: /maxEvents must be a number/ })
  assert.throws(() => new ours.PersistentLedger('x'), { name: 'TypeError', message: /config must be an object/ })
  assert.throws(() => new ours.EventStore(3), { name: 'TypeError', message: /storagePath must be a string/ })
  assert.throws(() => new ours.ForbiddenCommandEvaluator('rm'), TypeError)
  assert.throws(() => ours.PersistentLedger.prototype.getEvents.call({}), { name: 'TypeError', message: /not a native-ledger\/guidance instance/ })

  const run = new ours.RunLedger(10)
  assert.deepEqual(Object.keys(run), Object.keys(new main.RunLedger(10)))
  assert.deepEqual(run.evaluators.map((e) => e.constructor), new main.RunLedger().evaluators.map((e) => e.constructor))

  const dir = join(tempDir(), 'store')
  const ledger = new ours.PersistentLedger({ storagePath: dir })
  await ledger.init()
  const event = ledger.finalizeEvent(ledger.createEvent('task-1', 'feature', 'h'))
  // finalizeEvent persists (the original never writes it), before the call returned.
  assert.equal(JSON.parse(readFileSync(join(dir, 'events.ndjson'), 'utf8')).eventId, event.eventId)
  assert.equal(ledger.events.length, 1) // guidance's field, as a JS caller sees it, is ours
  assert.throws(() => ledger.logEvent({ ...event, big: 1n }), TypeError)
  assert.equal(ledger.eventCount, 1)
  await ledger.flush()
  assert.deepEqual(await ledger.getEventStore().readAll(), [event])
  await ledger.destroy()
})

for (const kind of ['RunLedger', 'PersistentLedger']) {
  test(`guidance's hooks, headless runner, optimizer and conformance cell: same over native-ledger's ${kind} as over the original's`, async () => {
    const results = {}
    const dirs = {}
    for (const [side, mod] of [['original', kind === 'RunLedger' ? gLedger : gPersistence], ['native', ours]]) {
      dirs[side] = join(tempDir(), 'store')
      let ledger
      if (kind === 'RunLedger') ledger = new mod.RunLedger()
      else {
        ledger = new mod.PersistentLedger({ storagePath: dirs[side], compactIntervalMs: 0 })
        await ledger.init()
      }
      results[side] = await runGuidance(ledger)
      if (kind === 'PersistentLedger') {
        if (side === 'native') {
          // Every event guidance logged or finalized is on disk already, in order.
          await ledger.flush()
          assert.deepEqual(normalize(await ledger.getEventStore().readAll()), normalize(ledger.getEvents()))
        } else {
          await sleep(100) // the original's logEvent appends without waiting; let them land before save()
        }
        await ledger.save()
        results[side].files = files(dirs[side])
        // The size counts both files, whose bytes differ by durations' digits and ndjsonBytes.
        const { storageSizeBytes, ...stats } = await ledger.getStorageStats()
        const size = (f) => statSync(join(dirs[side], f)).size
        assert.equal(storageSizeBytes, size('events.ndjson') + size('index.json'))
        results[side].stats = normalize(stats)
        await ledger.destroy()
      }
    }
    assert.ok(results.native.eventCount > 10, 'the scenario logs events')
    assert.ok(results.native.rankings.length > 0, 'the scenario has violations to rank')
    assert.deepEqual(results.native, results.original)
  })
}

test('tsc --strict: code typed against guidance accepts native-ledger/guidance’s values without a cast', () => {
  // check.mts once more as check.cts: the same code, seen through the "require" typings. In
  // .tmp/, inside this package, so that 'native-ledger/guidance' resolves to it.
  const dir = join(root, '.tmp', 'guidance-types')
  rmSync(dir, { recursive: true, force: true })
  cpSync(join(root, '__test__', 'guidance-types'), dir, { recursive: true })
  cpSync(join(dir, 'check.mts'), join(dir, 'check.cts'))
  const tscRun = (...args) => spawnSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8' })
  let r = tscRun('-p', '.')
  assert.equal(r.status, 0, r.stdout + r.stderr)
  r = tscRun('--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', 'check-node16.cts')
  assert.equal(r.status, 0, r.stdout + r.stderr)
  // The control: the main entry's classes are rejected there, as the issue reported.
  r = tscRun('--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'main-entry-rejected.mts')
  assert.notEqual(r.status, 0)
  assert.match(r.stdout, /separate declarations of a private property 'events'/)
})

test('without @claude-flow/guidance installed, the entry says what to install; the main entry loads', () => {
  // A project with native-ledger's files and no guidance anywhere on its resolution path.
  const project = tempDir()
  const pkg = join(project, 'node_modules', 'native-ledger')
  mkdirSync(pkg, { recursive: true })
  const files = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).files
  for (const f of [...files, 'package.json', ...readdirSync(root).filter((x) => x.endsWith('.node'))]) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(pkg, f), { recursive: true })
  }
  const probe = `
    const main = require('native-ledger')
    if (typeof main.createPersistentLedger !== 'function') throw new Error('main entry')
    let cjs
    try { require('native-ledger/guidance') } catch (err) { cjs = err.message }
    import('native-ledger/guidance').then(() => console.log('loaded?'), (err) => {
      console.log(JSON.stringify({ cjs, esm: err.message, code: err.code }))
    })`
  const env = { ...process.env }
  delete env.NODE_PATH
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: project, env, encoding: 'utf8' })
  rmSync(project, { recursive: true, force: true })
  assert.equal(r.status, 0, r.stderr)
  const { cjs, esm, code } = JSON.parse(r.stdout)
  for (const message of [cjs, esm]) assert.match(message, /needs the package @claude-flow\/guidance.*npm install @claude-flow\/guidance/)
  assert.equal(code, 'ERR_NATIVE_LEDGER_PEER_MISSING')
})
