// Deterministic RunEvent-shaped events of about 400 bytes, and fixture writers that lay down
// the files the original would have written, so fixture setup is never part of a measurement.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { prng } from '../__test__/helpers/prng.mjs'


const HEX = '0123456789abcdef'
const hex = (rand, n) => {
  let s = ''
  for (let i = 0; i < n; i++) s += HEX[(rand() * 16) | 0]
  return s
}
const uuid = (rand) =>
  `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${HEX[8 + ((rand() * 4) | 0)]}${hex(rand, 3)}-${hex(rand, 12)}`
const pick = (rand, list) => list[(rand() * list.length) | 0]

const INTENTS = ['bug-fix', 'feature', 'refactor', 'security', 'performance', 'testing', 'docs', 'general']
const TOOLS = ['Read', 'Edit', 'Write', 'Bash', 'Grep', 'Glob', 'WebFetch', 'TodoWrite']
const SEVERITIES = ['low', 'medium', 'high', 'critical']

export const BASE_TS = 1_700_000_000_000

/**
 * @param {number} n
 * @param {object} [opts]
 * @param {number | 'unique'} [opts.taskIds] how many distinct task ids, cycled; 'unique' = one per event
 * @param {number} [opts.seed]
 * @param {number} [opts.startTs] timestamps rise by 1 s per event from here
 */
export function makeEvents(n, { taskIds = 100, seed = 42, startTs = BASE_TS } = {}) {
  const rand = prng(seed)
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const t = taskIds === 'unique' ? i : i % taskIds
    const violations =
      rand() < 0.1
        ? [
            {
              ruleId: `R${String((rand() * 200) | 0).padStart(3, '0')}`,
              description: 'Edited a generated file',
              severity: pick(rand, SEVERITIES),
              autoCorrected: rand() < 0.5,
            },
          ]
        : []
    out[i] = {
      eventId: uuid(rand),
      taskId: `task-${t}`,
      guidanceHash: hex(rand, 12),
      retrievedRuleIds: [1, 2].map(() => `R${String((rand() * 200) | 0).padStart(3, '0')}`),
      toolsUsed: [pick(rand, TOOLS), pick(rand, TOOLS)],
      filesTouched: [`src/mod-${(rand() * 50) | 0}/f${(rand() * 20) | 0}.ts`],
      diffSummary: {
        linesAdded: (rand() * 300) | 0,
        linesRemoved: (rand() * 120) | 0,
        filesChanged: 1 + ((rand() * 6) | 0),
      },
      testResults: {
        ran: true,
        passed: (rand() * 400) | 0,
        failed: rand() < 0.1 ? 1 + ((rand() * 3) | 0) : 0,
        skipped: (rand() * 5) | 0,
      },
      violations,
      outcomeAccepted: rand() < 0.1 ? null : rand() < 0.8,
      reworkLines: (rand() * 40) | 0,
      intent: pick(rand, INTENTS),
      timestamp: startTs + i * 1000,
      durationMs: 1000 + ((rand() * 120_000) | 0),
    }
  }
  return out
}

/** Appends lines to `file` in large writes, so a 40 MB fixture takes a fraction of a second. */
function writeLines(file, count, lineAt) {
  const fd = openSync(file, 'w')
  try {
    let chunk = ''
    for (let i = 0; i < count; i++) {
      chunk += lineAt(i)
      if (chunk.length >= 1 << 20) {
        writeSync(fd, chunk)
        chunk = ''
      }
    }
    if (chunk) writeSync(fd, chunk)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes `dir/events.ndjson` and `dir/index.json` exactly as the original's append() would have
 * left them: one `JSON.stringify(e) + '\n'` per event, and the index pretty-printed.
 */
export function writeStoreFixture(dir, events) {
  mkdirSync(dir, { recursive: true })
  writeLines(join(dir, 'events.ndjson'), events.length, (i) => JSON.stringify(events[i]) + '\n')
  const taskIds = new Set()
  let oldest = null
  let newest = null
  for (const e of events) {
    taskIds.add(e.taskId)
    if (oldest === null || e.timestamp < oldest) oldest = e.timestamp
    if (newest === null || e.timestamp > newest) newest = e.timestamp
  }
  const index = { eventCount: events.length, oldestTimestamp: oldest, newestTimestamp: newest, taskIds: [...taskIds] }
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 2))
}

/**
 * Writes an AppendLog file of `count` entries in the seed's line format
 * `{"seq":N,"ts":<ms>,"data":<entry>}`; entries cycle through 1,000 distinct events.
 */
export function writeAppendLogFixture(file, count) {
  const datas = makeEvents(1000, { seed: 7 }).map((e) => JSON.stringify(e))
  writeLines(file, count, (i) => `{"seq":${i + 1},"ts":${BASE_TS + i},"data":${datas[i % 1000]}}\n`)
}
