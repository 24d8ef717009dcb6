// Deterministic RunEvent-shaped events for the EventStore suites (about 400 bytes each, like
// the events agent tooling records).
const BASE_TS = 1_700_000_000_000

export function runEvent(i, { timestamp = BASE_TS + i * 1000, taskId = `task-${i % 7}`, ...extra } = {}) {
  return {
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    taskId,
    guidanceHash: `sha256:${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}`,
    retrievedRuleIds: [`R${i % 5}`, `R${(i + 3) % 11}`],
    toolsUsed: ['Read', 'Edit', i % 2 ? 'Bash' : 'Grep'],
    filesTouched: [`src/module-${i % 13}.ts`],
    diffSummary: { linesAdded: i % 50, linesRemoved: i % 17, filesChanged: 1 + (i % 3) },
    testResults: { ran: i % 4 !== 0, passed: i % 30, failed: i % 3 === 0 ? 1 : 0, skipped: 0 },
    violations: i % 9 === 0 ? [{ ruleId: 'R1', description: 'touched a forbidden file', severity: 'high', autoCorrected: false }] : [],
    outcomeAccepted: i % 5 === 0 ? null : i % 5 !== 1,
    reworkLines: i % 11,
    intent: ['feature', 'bugfix', 'refactor', 'testing'][i % 4],
    timestamp,
    durationMs: 100 + ((i * 37) % 5000),
    ...extra,
  }
}

export function runEvents(n, opts) {
  return Array.from({ length: n }, (_, i) => runEvent(i, typeof opts === 'function' ? opts(i) : opts))
}

/** A small seeded PRNG (mulberry32), so shuffled inputs are the same on every run. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffled(array, seed) {
  const rnd = prng(seed)
  const a = array.slice()
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}
