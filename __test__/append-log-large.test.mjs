// AppendLog on a 1,000,000-entry file: reads near the end go through the seq → offset index.
import { it, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAppendLog } from '../index.mjs'

const root = mkdtempSync(join(tmpdir(), 'append-log-large-'))
after(() => rmSync(root, { recursive: true, force: true }))

const N = 1_000_000

it('reads the last 100 of 1,000,000 entries from the index, not by a scan', async (t) => {
  const file = join(root, 'history.jsonl')
  // A log as the seed writes it.
  const fd = openSync(file, 'w')
  for (let start = 1; start <= N; start += 50_000) {
    let chunk = ''
    for (let seq = start; seq < start + 50_000; seq++) {
      chunk += JSON.stringify({ seq, ts: 1700000000000 + seq, data: { kind: 'step', n: seq } }) + '\n'
    }
    writeSync(fd, chunk)
  }
  closeSync(fd)

  const log = createAppendLog(file)
  // The file is indexed on another thread: the event loop goes on turning meanwhile.
  let turns = 0
  let indexed = false
  const spin = () => {
    turns++
    if (!indexed) setImmediate(spin)
  }
  setImmediate(spin)
  let t0 = process.hrtime.bigint()
  const first = await log.read({ sinceSeq: N - 100 })
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6
  indexed = true
  assert.ok(turns > 1, `the event loop turned ${turns} times while the log was indexed`)
  assert.deepEqual(first.map((e) => e.seq), Array.from({ length: 100 }, (_, i) => N - 99 + i))
  assert.deepEqual(first[0].data, { kind: 'step', n: N - 99 })

  // Overwrite the first megabyte in place (same file, same size): a read that scanned from the
  // start would now fail; one that seeks through the index does not notice.
  const size = statSync(file).size
  const wfd = openSync(file, 'r+')
  writeSync(wfd, Buffer.alloc(1 << 20, 'x'), 0, 1 << 20, 0)
  closeSync(wfd)
  assert.equal(statSync(file).size, size)

  const times = []
  for (let i = 0; i < 200; i++) {
    t0 = process.hrtime.bigint()
    const last = await log.read({ sinceSeq: N - 100 })
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    assert.equal(last.length, 100)
    assert.equal(last[99].seq, N)
  }
  const tail = await log.read({ reverse: true, limit: 3 })
  assert.deepEqual(tail.map((e) => e.seq), [N, N - 1, N - 2])
  assert.deepEqual(await log.append([{ kind: 'next' }]), { lastSeq: N + 1 })
  times.sort((a, b) => a - b)
  t.diagnostic(`first read (indexing ${(size / 1e6).toFixed(0)} MB): ${openMs.toFixed(0)} ms`)
  t.diagnostic(`read({ sinceSeq: ${N - 100} }): median ${times[100].toFixed(3)} ms, p99 ${times[198].toFixed(3)} ms`)
  await log.close()
})
