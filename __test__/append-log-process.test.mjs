// AppendLog across processes: real `node` children on one log file.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppendLog } from '../index.mjs'
import { waitFor, runNode } from './fixtures/append-log-helpers.mjs'

const child = fileURLToPath(new URL('./fixtures/append-log-child.mjs', import.meta.url))
let root
before(() => {
  root = mkdtempSync(join(tmpdir(), 'append-log-proc-'))
})
after(() => rmSync(root, { recursive: true, force: true }))

const json = (line) => JSON.parse(line)

describe('AppendLog across processes', () => {
  it('two processes appending 5,000 entries each get seqs 1..10,000, each once, every line whole', async (t) => {
    const file = join(root, 'race', 'history.jsonl')
    const runs = [0, 1].map(() => {
      const run = runNode(child, ['append', file, '5000'], { stdio: ['pipe', 'pipe', 'pipe'] })
      return run
    })
    await waitFor(() => runs.every((r) => r.lines.length >= 1), { what: 'appenders ready', timeout: 30_000 })
    for (const r of runs) r.child.stdin.end('go\n')
    const exits = await Promise.all(runs.map((r) => r.exited))
    exits.forEach((e) => assert.equal(e.code, 0, e.stderr))
    const returned = runs.flatMap((r) => json(r.lines[1]).seqs)
    assert.deepEqual([...returned].sort((a, b) => a - b), Array.from({ length: 10_000 }, (_, i) => i + 1))
    const lines = readFileSync(file, 'utf8').split('\n')
    assert.equal(lines.pop(), '')
    const entries = lines.map(json)
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 10_000 }, (_, i) => i + 1))
    // Each process's entries are in its own order.
    for (const r of runs) {
      const mine = entries.filter((e) => e.data.tag === r.child.pid).map((e) => e.data.i)
      assert.deepEqual(mine, Array.from({ length: 5000 }, (_, i) => i))
    }
    const turns = entries.filter((e, i) => i > 0 && e.data.tag !== entries[i - 1].data.tag).length
    t.diagnostic(`the two appenders took turns ${turns} times`)
    const log = createAppendLog(file)
    assert.deepEqual(await log.append(['after']), { lastSeq: 10_001 })
    await log.close()
  })

  it('a subscriber in another process sees appends live', async (t) => {
    const file = join(root, 'live', 'history.jsonl')
    const log = createAppendLog(file)
    await log.append(['before'])
    const sub = runNode(child, ['subscribe', file], { stdio: ['pipe', 'pipe', 'pipe'] })
    await waitFor(() => sub.lines.length >= 1, { what: 'subscriber ready', timeout: 30_000 })
    const latencies = []
    for (let i = 0; i < 20; i++) {
      const sentAt = Date.now()
      const { lastSeq } = await log.append([`live ${i}`])
      await waitFor(() => sub.lines.slice(1).some((l) => json(l).seq === lastSeq), { what: `seq ${lastSeq} in the child` })
      latencies.push(json(sub.lines.at(-1)).at - sentAt)
    }
    await log.truncateBefore(15)
    await log.append(['stop'])
    await waitFor(() => json(sub.lines.at(-1)).data === 'stop', { what: 'stop' })
    sub.child.stdin.end()
    assert.equal((await sub.exited).code, 0)
    const got = sub.lines.slice(1).map(json)
    assert.deepEqual(got.map((e) => e.seq), Array.from({ length: 21 }, (_, i) => i + 2))
    assert.deepEqual(got.map((e) => e.data).slice(0, 2), ['live 0', 'live 1'])
    latencies.sort((a, b) => a - b)
    t.diagnostic(`cross-process delivery latency: median ${latencies[10]} ms, max ${latencies.at(-1)} ms`)
    await log.close()
  })

  it('seqs continue after another process truncated everything', async () => {
    const file = join(root, 'trunc', 'history.jsonl')
    const log = createAppendLog(file)
    await log.append(['a', 'b', 'c'])
    const seen = []
    log.subscribe({ sinceSeq: 0 }, (e) => seen.push(e.seq))
    const run = runNode(child, ['truncate', file, '1e9'])
    const { code, stderr } = await run.exited
    assert.equal(code, 0, stderr)
    assert.deepEqual(json(run.lines[0]), { removed: 3 })
    assert.deepEqual(await log.read(), [])
    assert.deepEqual(await log.append(['d']), { lastSeq: 4 })
    await waitFor(() => seen.length === 4)
    assert.deepEqual(seen, [1, 2, 3, 4])
    await log.close()
  })

  it('subscribers never keep a process alive', async () => {
    const file = join(root, 'idle', 'history.jsonl')
    const run = runNode(child, ['idle', file])
    const { code, signal, stderr } = await Promise.race([
      run.exited,
      new Promise((resolve) => setTimeout(() => resolve({ signal: 'still running after 20 s' }), 20_000).unref()),
    ])
    if (signal) run.child.kill()
    assert.equal(signal, null)
    assert.equal(code, 0, stderr)
    assert.deepEqual(run.lines.map(json), ['subscribed'])
  })
})
