// Issue 9, case 7: truncateBefore in one process (after big batches) while another process
// appends one entry a millisecond. Every round the file must hold strictly rising, contiguous
// seqs, every acknowledged entry past the truncation point exactly once, and the log must work.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppendLog } from '../index.mjs'
import { waitFor, runNode } from './fixtures/append-log-helpers.mjs'

const child = fileURLToPath(new URL('./fixtures/append-log-truncate-child.mjs', import.meta.url))
const env = (name, fallback) => Number(process.env[name] ?? fallback)
// The report's shape (20,000 a round, 1,000 a call, ~230-byte lines, a cut 300,000 back) scaled
// to run in well under a minute on two cores; the kept part still spans several of the 8 MB
// pieces the log indexes in.
const ROUNDS = env('ALOG_RACE_ROUNDS', 24)
const PER_ROUND = env('ALOG_RACE_PER_ROUND', 20_000)
const PER_CALL = env('ALOG_RACE_PER_CALL', 1_000)
const KEEP = env('ALOG_RACE_KEEP', 60_000)

let root
before(() => {
  root = mkdtempSync(join(tmpdir(), 'append-log-trunc-race-'))
})
after(() => rmSync(root, { recursive: true, force: true }))

/** Checks the file against what both processes were told; returns its last seq. */
function checkFile(file, { cut, batches, steady }, where) {
  const text = readFileSync(file, 'utf8')
  assert.ok(text === '' || text.endsWith('\n'), `${where}: the file ends mid-line`)
  const lines = text === '' ? [] : text.slice(0, -1).split('\n')
  const bySeq = new Map()
  let prev = null
  for (let n = 0; n < lines.length; n++) {
    const { seq, data } = JSON.parse(lines[n])
    if (prev !== null && seq !== prev + 1) {
      assert.fail(`${where}: line ${n + 1} holds seq ${seq} after seq ${prev} (seqs must rise by 1)`)
    }
    if (prev === null && cut > 0) assert.equal(seq, cut + 1, `${where}: the first seq after truncateBefore(${cut})`)
    prev = seq
    bySeq.set(seq, data)
  }
  // Every acknowledged entry past the cut, with its own data (seqs are unique, so once).
  for (const [first, round, done] of batches) {
    for (let k = 0; k < PER_CALL; k++) {
      const seq = first + k
      if (seq <= cut) continue
      const data = bySeq.get(seq)
      assert.ok(data && data.t === 'b' && data.r === round && data.i === done + k,
        `${where}: acknowledged batch entry seq ${seq} (round ${round}, #${done + k}) is ${JSON.stringify(data)}`)
    }
  }
  for (const { s, i } of steady) {
    if (s <= cut) continue
    const data = bySeq.get(s)
    assert.ok(data && data.t === 's' && data.i === i, `${where}: acknowledged steady entry seq ${s} (#${i}) is ${JSON.stringify(data)}`)
  }
  return prev ?? 0
}

describe('AppendLog truncateBefore racing another process (issue 9, case 7)', () => {
  it(`${ROUNDS} rounds of ${PER_ROUND} entries in batches of ${PER_CALL} + truncateBefore(lastSeq - ${KEEP}), another process appending one entry a millisecond`, { timeout: 180_000 }, async (t) => {
    const file = join(root, 'h.jsonl')
    const batcher = runNode(child, ['batches', file, String(PER_ROUND), String(PER_CALL), String(KEEP)], { stdio: ['pipe', 'pipe', 'pipe'] })
    const steadyRun = runNode(child, ['steady', file], { stdio: ['pipe', 'pipe', 'pipe'] })
    const steadyAcks = () => steadyRun.lines.slice(1).filter((l) => l.startsWith('{"s"')).map((l) => JSON.parse(l))
    const steadyError = () => steadyRun.lines.find((l) => l.startsWith('{"error"'))
    try {
      await waitFor(() => batcher.lines.length >= 1 && steadyRun.lines.length >= 1, { what: 'children ready', timeout: 30_000 })
      // The steady appender is under way before the first round.
      await waitFor(() => steadyAcks().length >= 20, { what: 'first steady appends', timeout: 30_000 })
      const batches = []
      let cut = 0
      let truncations = 0
      for (let round = 1; round <= ROUNDS; round++) {
        const before = batcher.lines.length
        batcher.child.stdin.write(`round ${round}\n`)
        await waitFor(() => batcher.lines.length > before || steadyError(), { what: `round ${round}`, timeout: 60_000 })
        assert.equal(steadyError(), undefined, `round ${round}: the steady appender failed`)
        const report = JSON.parse(batcher.lines[before])
        batches.push(...report.batches)
        assert.equal(report.error, undefined, `round ${round}: the batch process failed: ${report.error}`)
        if (report.cut > 0) {
          cut = report.cut
          truncations++
        }
        const lastBatchSeq = report.batches.at(-1)[0] + PER_CALL - 1
        assert.deepEqual(report.tail, [lastBatchSeq], `round ${round}: read after the truncate`)
        // Acknowledgements collected before the file is read must all be in it.
        const steady = steadyAcks()
        const last = checkFile(file, { cut, batches, steady }, `round ${round}`)
        assert.ok(last >= lastBatchSeq, `round ${round}: the file ends at seq ${last}`)
      }
      assert.ok(truncations >= ROUNDS - Math.ceil(KEEP / PER_ROUND), `${truncations} rounds truncated`)
      steadyRun.child.stdin.end()
      batcher.child.stdin.end()
      const [b, s] = await Promise.all([batcher.exited, steadyRun.exited])
      assert.equal(b.code, 0, b.stderr)
      assert.equal(s.code, 0, s.stderr)
      assert.equal(steadyRun.lines.at(-1), '"done"', steadyError())
      const steady = steadyAcks()
      const last = checkFile(file, { cut, batches, steady }, 'at the end')
      // The log still works for a newcomer: seqs go on from the file's last one.
      const log = createAppendLog(file)
      assert.deepEqual(await log.append(['after']), { lastSeq: last + 1 })
      assert.deepEqual((await log.read({ sinceSeq: last })).map((e) => e.data), ['after'])
      assert.equal((await log.read({ sinceSeq: cut })).length, last - cut + 1)
      await log.close()
      t.diagnostic(`${ROUNDS} rounds, ${truncations} truncations, ${steady.length} steady appends, last seq ${last + 1}`)
    } finally {
      batcher.child.kill()
      steadyRun.child.kill()
    }
  })
})
