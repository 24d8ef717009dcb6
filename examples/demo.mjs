// `npm start`: records a few dozen agent runs in ./.claude-flow/guidance, prints the store's
// stats, reads a time range back, and evaluates one run.
import { createPersistentLedger } from '../index.mjs'

const ledger = createPersistentLedger({ storagePath: '.claude-flow/guidance', compactIntervalMs: 0 })
await ledger.init()
const before = ledger.eventCount

const intents = ['feature', 'bug-fix', 'refactor', 'testing', 'docs']
const start = Date.now()
for (let i = 0; i < 36; i++) {
  const run = ledger.createEvent(`task-${i % 6}`, intents[i % intents.length], 'sha256:demo')
  run.timestamp = start + i * 1000
  run.toolsUsed = i % 9 === 4 ? ['Bash: rm -rf /tmp/build', 'Edit'] : ['Read', 'Edit', 'Bash: npm test']
  run.filesTouched = i % 7 === 0 ? ['package.json', 'src/index.ts'] : [`src/module-${i}.ts`]
  run.diffSummary = { linesAdded: 10 + i, linesRemoved: i % 5, filesChanged: 1 + (i % 3) }
  run.testResults = { ran: i % 4 !== 0, passed: 20 + i, failed: i % 10 === 3 ? 2 : 0, skipped: 1 }
  run.violations =
    i % 8 === 5 ? [{ ruleId: 'no-force-push', description: 'force push', severity: 'high', autoCorrected: i % 16 === 5 }] : []
  run.reworkLines = i % 6
  ledger.logEvent(run)
}
await ledger.flush()

const stats = await ledger.getStorageStats()
console.log(`ledger at ${process.cwd()}/.claude-flow/guidance: ${before} runs were there, 36 recorded now`)
console.log('stats:', stats)

const store = ledger.getEventStore()
const window = await store.readRange(start + 10_000, start + 14_999)
console.log(`runs between +10 s and +15 s: ${window.map((e) => e.taskId).join(', ')}`)

const metrics = ledger.computeMetrics()
console.log('metrics:', metrics)
const results = await ledger.evaluate(ledger.getRecentEvents(1)[0])
for (const r of results) console.log(`  ${r.passed ? 'pass' : 'FAIL'}  ${r.name}: ${r.details}`)
await ledger.destroy()
