import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { writeAppendLogFixture } from '../events.mjs'
import { median, timed, worst } from '../measure.mjs'

export const title = 'AppendLog read({ sinceSeq }) of the last 100 of 1,000,000'
export const how =
  'A 1,000,000-entry file in the seed\'s line format; `createAppendLog(file)`, then `read({ sinceSeq: 999_900 })`: median of up to 200 calls after the first (the first opens the log; in notes). Stall includes the first call.'
export const impls = ['native']
export const target = { text: '<= 1 ms', met: ({ native }) => native.ok && native.value <= 1 }
const size = (quick) => (quick ? 100_000 : 1_000_000)
export const setup = ({ dir, quick }) => writeAppendLogFixture(join(dir, 'history.jsonl'), size(quick))

export async function run({ dir, quick, lib }) {
  const n = size(quick)
  const log = lib.createAppendLog(join(dir, 'history.jsonl'))
  const read = () => log.read({ sinceSeq: n - 100 })
  const first = await timed(read)
  const runs = []
  // Up to 200 calls; the time bound only matters for an implementation that scans the file.
  for (const t0 = performance.now(); runs.length < 200 && (runs.length < 5 || performance.now() - t0 < 3_000); ) {
    runs.push(await timed(read))
  }
  await log.close()
  const last = runs[runs.length - 1].value
  return {
    value: median(runs.map((r) => r.ms)),
    unit: 'ms',
    better: 'lower',
    stall: worst(first.stall, ...runs.map((r) => r.stall)),
    ok: last.length === 100 && last[0].seq === n - 99 && last[99].seq === n,
    check: `median of ${runs.length} calls; first call (opens the log) ${first.ms.toFixed(1)} ms`,
  }
}
