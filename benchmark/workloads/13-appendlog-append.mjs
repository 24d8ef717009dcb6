import { join } from 'node:path'
import { makeEvents } from '../events.mjs'
import { countLines, timed, yielder } from '../measure.mjs'

export const title = 'AppendLog append of 100 entries per call, sustained (RunEvent entries)'
export const how =
  '`createAppendLog(file)` on an empty directory; 3,000 calls of `await log.append(100 events)`; entries/s. Checked: `lastSeq` and lines on disk after `close()`.'
export const impls = ['native']
export const target = { text: '>= 500,000 entries/s', met: ({ native }) => native.ok && native.value >= 500_000 }

export const run = (args) => appendBatches(args, (pool) => pool)

/** Sustained `append` of 100 entries per call; `shape` maps RunEvents to the entries appended. */
export async function appendBatches({ dir, quick, lib }, shape) {
  const calls = quick ? 200 : 3_000
  const pool = shape(makeEvents(10_000))
  const batches = []
  for (let i = 0; i < 100; i++) batches.push(pool.slice(i * 100, i * 100 + 100))
  const file = join(dir, 'history.jsonl')
  const log = lib.createAppendLog(file)
  let lastSeq
  const { ms, stall } = await timed(async () => {
    const turn = yielder()
    for (let i = 0; i < calls; i++) {
      ;({ lastSeq } = await log.append(batches[i % batches.length]))
      await turn()
    }
  })
  await log.close()
  const n = calls * 100
  const lines = countLines(file)
  return {
    value: (n / ms) * 1000,
    unit: 'entries/s',
    better: 'higher',
    stall,
    ok: lastSeq === n && lines === n,
    check: `${calls.toLocaleString('en-US')} calls; lastSeq ${lastSeq.toLocaleString('en-US')}, ${lines.toLocaleString('en-US')} lines`,
  }
}
