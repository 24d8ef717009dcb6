// AppendLog (SPEC §5): one suite, run against the file driver and the memory driver.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync, readlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppendLog, createAppendLog, createMemoryAppendLog } from '../index.mjs'
import { waitFor } from './fixtures/append-log-helpers.mjs'

let root
before(() => {
  root = mkdtempSync(join(tmpdir(), 'append-log-'))
})
after(() => rmSync(root, { recursive: true, force: true }))

let fileCount = 0
const newFile = () => join(root, `p${++fileCount}`, '.meta', 'history.jsonl')

const drivers = [
  { name: 'file', make: () => createAppendLog(newFile()), reopen: (log) => createAppendLog(log.file) },
  { name: 'memory', make: () => createMemoryAppendLog(), reopen: null },
]

for (const { name, make } of drivers) {
  describe(`AppendLog (${name} driver)`, () => {
    // The seed's five scenarios.
    it('append assigns seqs from 1, rising by 1, and read returns them in order', async () => {
      const log = make()
      const r1 = await log.append([{ kind: 'tweak', file: 'a' }, { kind: 'tweak', file: 'b' }])
      assert.equal(r1.lastSeq, 2)
      const r2 = await log.append([{ kind: 'comment-edit', turn: 'x' }])
      assert.equal(r2.lastSeq, 3)
      const all = await log.read()
      assert.deepEqual(all.map((e) => e.seq), [1, 2, 3])
      assert.deepEqual(all.map((e) => e.data.kind), ['tweak', 'tweak', 'comment-edit'])
      assert.ok(all.every((e) => Number.isInteger(e.ts) && Math.abs(e.ts - Date.now()) < 60_000))
      await log.close()
    })

    it('read({ sinceSeq, limit, reverse }): sinceSeq exclusive, reverse first, then limit', async () => {
      const log = make()
      await log.append([1, 2, 3, 4, 5])
      const data = async (opts) => (await log.read(opts)).map((e) => e.data)
      assert.deepEqual(await data({ sinceSeq: 2 }), [3, 4, 5])
      assert.deepEqual(await data({ limit: 2 }), [1, 2])
      assert.deepEqual(await data({ reverse: true, limit: 2 }), [5, 4])
      assert.deepEqual(await data({ reverse: true }), [5, 4, 3, 2, 1])
      assert.deepEqual(await data({ sinceSeq: 3, reverse: true, limit: 5 }), [5, 4])
      assert.deepEqual(await data({ sinceSeq: 1, limit: 2 }), [2, 3])
      assert.deepEqual(await data({ limit: 0 }), [])
      assert.deepEqual(await data({ sinceSeq: 5 }), [])
      assert.deepEqual(await data({ sinceSeq: 99 }), [])
      assert.deepEqual(await data({ sinceSeq: -1 }), [1, 2, 3, 4, 5])
      assert.deepEqual(await data({ sinceSeq: 2.5, limit: 1.9 }), [3])
      assert.deepEqual(await data({ sinceSeq: null, limit: undefined }), [1, 2, 3, 4, 5])
      assert.deepEqual(await data({ limit: Infinity }), [1, 2, 3, 4, 5])
      await log.close()
    })

    it('subscribe(undefined, fn) delivers live entries only, by the time append resolves', async () => {
      const log = make()
      await log.append(['old'])
      const seen = []
      const unsub = log.subscribe(undefined, (e) => seen.push(e.data))
      await log.append([10, 20, 30])
      assert.deepEqual(seen, [10, 20, 30])
      unsub()
      await log.append([40])
      assert.deepEqual(seen, [10, 20, 30])
      await log.close()
    })

    it('subscribe({ sinceSeq }, fn) replays past entries, then goes live', async () => {
      const log = make()
      await log.append(['a', 'b', 'c'])
      const seen = []
      const unsub = log.subscribe({ sinceSeq: 1 }, (e) => seen.push({ seq: e.seq, data: e.data }))
      await waitFor(() => seen.length === 2)
      await log.append(['d'])
      unsub()
      await log.append(['e'])
      assert.deepEqual(seen.map((s) => s.data), ['b', 'c', 'd'])
      assert.deepEqual(seen.map((s) => s.seq), [2, 3, 4])
      await log.close()
    })

    it('truncateBefore(n) removes every entry with seq <= n and returns { removed }', async () => {
      const log = make()
      await log.append([1, 2, 3, 4, 5])
      assert.deepEqual(await log.truncateBefore(3), { removed: 3 })
      const after = await log.read()
      assert.deepEqual(after.map((e) => e.seq), [4, 5])
      assert.deepEqual(after.map((e) => e.data), [4, 5])
      assert.deepEqual(await log.truncateBefore(3), { removed: 0 })
      assert.deepEqual(await log.truncateBefore(0), { removed: 0 })
      await log.close()
    })

    // Beyond the seed.
    it('never repeats a seq after truncateBefore removed everything', async () => {
      const log = make()
      await log.append(['a', 'b', 'c'])
      assert.deepEqual(await log.truncateBefore(10), { removed: 3 })
      assert.deepEqual(await log.read(), [])
      assert.deepEqual(await log.append(['d']), { lastSeq: 4 })
      assert.deepEqual((await log.read()).map((e) => [e.seq, e.data]), [[4, 'd']])
      await log.close()
    })

    it('append([]) writes nothing and returns the current last seq', async () => {
      const log = make()
      assert.deepEqual(await log.append([]), { lastSeq: 0 })
      await log.append([1, 2])
      assert.deepEqual(await log.append([]), { lastSeq: 2 })
      assert.equal((await log.read()).length, 2)
      await log.close()
    })

    it('round-trips JSON values as JSON.stringify/JSON.parse do', async () => {
      const log = make()
      const values = [
        null, 0, -0, 1e21, 1.5e-7, true, '', 'π ∑ 😀 \u2028 "q" \\ \n', '\ud800', [], {},
        { nested: { a: [1, { b: null }] }, k: 'v' }, new Date(0), { toJSON: (key) => `key:${key}` },
        undefined, () => 1, Symbol('s'), { u: undefined, f() {} }, [undefined, () => 1], NaN, Infinity,
      ]
      await log.append(values)
      const got = await log.read()
      assert.equal(got.length, values.length)
      got.forEach((e, i) => {
        // What the seed's file driver stores and reads back for the same entry.
        const seed = JSON.parse(JSON.stringify({ seq: e.seq, ts: e.ts, data: values[i] }))
        assert.deepEqual(e, seed, `entry ${i}`)
      })
      assert.equal(got[13].data, 'key:data')
      assert.equal('data' in got[14], false)
      await log.close()
    })

    it('refuses what cannot be serialized with a TypeError, writing nothing of the batch', async () => {
      const log = make()
      await log.append(['ok'])
      const cycle = {}
      cycle.self = cycle
      await assert.rejects(log.append(['fine', 1n]), TypeError)
      await assert.rejects(log.append(['fine', cycle]), TypeError)
      await assert.rejects(log.append([{ toJSON: () => 2n }]), TypeError)
      assert.deepEqual((await log.read()).map((e) => e.data), ['ok'])
      assert.deepEqual(await log.append(['next']), { lastSeq: 2 })
      await log.close()
    })

    it('rejects bad arguments with a TypeError or RangeError naming them', async () => {
      const log = make()
      await assert.rejects(log.append('x'), { name: 'TypeError', message: /entries/ })
      await assert.rejects(log.append({ length: 1, 0: 'a' }), { name: 'TypeError', message: /entries/ })
      await assert.rejects(log.append(), { name: 'TypeError', message: /entries/ })
      await assert.rejects(log.read({ sinceSeq: '1' }), { name: 'TypeError', message: /sinceSeq/ })
      await assert.rejects(log.read({ sinceSeq: NaN }), { name: 'TypeError', message: /sinceSeq/ })
      await assert.rejects(log.read({ limit: '2' }), { name: 'TypeError', message: /limit/ })
      await assert.rejects(log.read({ limit: -1 }), { name: 'RangeError', message: /limit/ })
      await assert.rejects(log.read('since'), { name: 'TypeError', message: /options/ })
      await assert.rejects(log.truncateBefore('3'), { name: 'TypeError', message: /seq/ })
      await assert.rejects(log.truncateBefore(), { name: 'TypeError', message: /seq/ })
      assert.throws(() => log.subscribe(undefined, 'fn'), { name: 'TypeError', message: /fn/ })
      assert.throws(() => log.subscribe({ sinceSeq: '0' }, () => {}), { name: 'TypeError', message: /sinceSeq/ })
      assert.equal((await log.read()).length, 0)
      await log.close()
    })

    it('a subscriber that throws breaks neither the log nor other subscribers', async () => {
      const log = make()
      const warnings = []
      const onWarning = (w) => {
        if (w.name === 'AppendLogWarning') warnings.push(w)
      }
      process.on('warning', onWarning)
      try {
        const good = []
        const alsoGood = []
        log.subscribe(undefined, (e) => good.push(e.seq))
        log.subscribe(undefined, (e) => {
          if (e.seq % 2 === 1) throw new Error(`boom ${e.seq}`)
        })
        log.subscribe(undefined, (e) => alsoGood.push(e.seq))
        await log.append([1, 2, 3])
        await log.append([4])
        assert.deepEqual(good, [1, 2, 3, 4])
        assert.deepEqual(alsoGood, [1, 2, 3, 4])
        assert.deepEqual((await log.read()).map((e) => e.seq), [1, 2, 3, 4])
        await waitFor(() => warnings.length === 2)
        assert.equal(warnings[0].code, 'APPEND_LOG_SUBSCRIBER_THREW')
        assert.equal(warnings[0].cause.message, 'boom 1')
        assert.equal(warnings[1].cause.message, 'boom 3')
      } finally {
        process.off('warning', onWarning)
        await log.close()
      }
    })

    it('a subscriber may append and unsubscribe from inside its callback', async () => {
      const log = make()
      const seen = []
      const unsub = log.subscribe(undefined, (e) => {
        seen.push(e.data)
        if (e.data < 3) log.append([e.data + 1])
        else unsub()
      })
      const other = []
      log.subscribe(undefined, (e) => other.push(e.data))
      await log.append([1])
      await waitFor(() => other.length === 3)
      await log.append([9])
      assert.deepEqual(seen, [1, 2, 3])
      assert.deepEqual(other, [1, 2, 3, 9])
      await log.close()
    })

    it('replays in order, each entry once, from every checkpoint while 50 appends run', async () => {
      // KurrentDB's catch-up matrix: from the start, the first entry, the middle, one before
      // the head, the head and past the head; joining before, during and after a burst.
      for (const truncated of [false, true]) {
        const log = make()
        for (let i = 0; i < 10; i++) await log.append(Array.from({ length: 10 }, (_, j) => i * 10 + j))
        if (truncated) await log.truncateBefore(40)
        const head = 100
        const checkpoints = [0, 1, 50, head - 1, head, head + 5]
        const subscribers = []
        const join = (sinceSeq) => {
          const s = { sinceSeq, seen: [] }
          subscribers.push(s)
          log.subscribe({ sinceSeq }, (e) => s.seen.push(e.seq))
        }
        const pending = []
        for (let i = 0; i < 50; i++) {
          if (i % 10 === 0) join(checkpoints[i / 10])
          pending.push(log.append([`live ${i}`]))
          // More appends that land among the subscribers' replays.
          if (i % 7 === 0) pending.push(Promise.resolve().then(() => log.append([`late ${i}`])))
        }
        join(checkpoints[5])
        const last = Math.max(...(await Promise.all(pending)).map((r) => r.lastSeq))
        assert.equal(last, head + 50 + 8)
        const first = truncated ? 41 : 1
        for (const { sinceSeq, seen } of subscribers) {
          const from = Math.max(sinceSeq + 1, first)
          const want = Array.from({ length: last - from + 1 }, (_, k) => from + k)
          await waitFor(() => seen.length >= want.length)
          assert.deepEqual(seen, want, `sinceSeq ${sinceSeq}${truncated ? ' after truncateBefore' : ''}`)
        }
        await log.close()
      }
    })

    it('replays a long log in slices, letting the event loop turn in between', async () => {
      const log = make()
      for (let i = 0; i < 400; i++) await log.append(Array.from({ length: 100 }, (_, j) => i * 100 + j))
      const seen = []
      log.subscribe({ sinceSeq: 0 }, (e) => seen.push(e.seq))
      await new Promise((resolve) => setImmediate(resolve))
      assert.ok(seen.length > 0 && seen.length < 40_000, `${seen.length} delivered before the loop turned`)
      await log.append(['live'])
      await waitFor(() => seen.length === 40_001)
      assert.deepEqual(seen, Array.from({ length: 40_001 }, (_, i) => i + 1))
      await log.close()
    })

    it('close() drops subscribers; later calls reject with a clear Error', async () => {
      const log = make()
      const seen = []
      const unsub = log.subscribe(undefined, (e) => seen.push(e.seq))
      await log.append([1])
      await log.close()
      await log.close()
      await assert.rejects(log.append([2]), { name: 'Error', message: /closed/ })
      await assert.rejects(log.read(), /closed/)
      await assert.rejects(log.truncateBefore(1), /closed/)
      assert.throws(() => log.subscribe(undefined, () => {}), /closed/)
      unsub()
      assert.deepEqual(seen, [1])
    })
  })
}

describe('AppendLog (file driver only)', () => {
  it('writes the seed format byte for byte, creating parent directories', async () => {
    const file = newFile()
    const log = createAppendLog(file)
    // Reading, truncating and appending nothing leave the disk alone.
    assert.deepEqual(await log.read(), [])
    assert.deepEqual(await log.truncateBefore(5), { removed: 0 })
    assert.deepEqual(await log.append([]), { lastSeq: 0 })
    assert.equal(existsSync(join(file, '..', '..')), false)
    const values = [{ kind: 'tweak', file: 'a' }, undefined, 'π 😀 \u2028', new Date(5), [1, { a: null }], { toJSON: (k) => k }]
    await log.append(values.slice(0, 3))
    await log.append(values.slice(3))
    const entries = await log.read()
    const seedBytes = entries.map((e, i) => JSON.stringify({ seq: e.seq, ts: e.ts, data: values[i] }) + '\n').join('')
    assert.equal(readFileSync(file, 'utf8'), seedBytes)
    await log.close()
  })

  it('continues its seqs across a reopen, also after everything was truncated', async () => {
    const first = createAppendLog(newFile())
    await first.append(['a', 'b'])
    await first.close()
    const second = createAppendLog(first.file)
    assert.deepEqual(await second.append(['c']), { lastSeq: 3 })
    assert.deepEqual(await second.truncateBefore(3), { removed: 3 })
    await second.close()
    assert.equal(readFileSync(first.file, 'utf8'), '')
    const third = createAppendLog(first.file)
    assert.deepEqual(await third.read(), [])
    assert.deepEqual(await third.append(['d']), { lastSeq: 4 })
    await third.close()
  })

  it('instances on one file in one process share seqs, and live subscribers see each other', async () => {
    const a = createAppendLog(newFile())
    const b = new AppendLog(a.file)
    const seenByB = []
    b.subscribe(undefined, (e) => seenByB.push([e.seq, e.data]))
    await a.append(['from a'])
    assert.deepEqual(await b.append(['from b']), { lastSeq: 2 })
    await a.append(['from a again'])
    assert.deepEqual(seenByB, [[1, 'from a'], [2, 'from b'], [3, 'from a again']])
    await b.truncateBefore(2)
    assert.deepEqual((await a.read()).map((e) => e.seq), [3])
    assert.deepEqual(await a.append(['x']), { lastSeq: 4 })
    assert.deepEqual(seenByB.at(-1), [4, 'x'])
    await a.close()
    await b.close()
  })

  it('a torn tail costs no acknowledged entry', async () => {
    const { appendFileSync } = await import('node:fs')
    const log = createAppendLog(newFile())
    await log.append(['one', 'two'])
    // What a crash in the middle of a write leaves: part of a record, no newline.
    appendFileSync(log.file, '{"seq":3,"ts":17000000')
    const other = createAppendLog(log.file)
    assert.deepEqual((await other.read()).map((e) => e.data), ['one', 'two'])
    assert.deepEqual(await other.append(['three']), { lastSeq: 3 })
    assert.deepEqual(await log.append(['four']), { lastSeq: 4 })
    const lines = readFileSync(log.file, 'utf8').split('\n')
    assert.equal(lines.pop(), '')
    assert.deepEqual(lines.map((l) => JSON.parse(l).data), ['one', 'two', 'three', 'four'])
    await log.close()
    await other.close()
  })

  it('reports a corrupt line in the middle as an error naming file and line, and changes nothing', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs')
    const file = newFile()
    mkdirSync(join(file, '..'), { recursive: true })
    const text = '{"seq":1,"ts":1,"data":"a"}\n{"seq":2,"ts":1,"data":\n{"seq":3,"ts":1,"data":"c"}\n'
    writeFileSync(file, text)
    const log = createAppendLog(file)
    await assert.rejects(log.read(), (err) => err.message.includes(`${file}:2:`))
    await assert.rejects(log.append(['d']), (err) => err.message.includes(`${file}:2:`))
    assert.throws(() => log.subscribe(undefined, () => {}), (err) => err.message.includes(`${file}:2:`))
    assert.equal(readFileSync(file, 'utf8'), text)
    await log.close()
  })

  it('truncateBefore copies off the event loop and keeps the appends made meanwhile', async () => {
    const log = createAppendLog(newFile())
    for (let i = 0; i < 200; i++) await log.append(Array.from({ length: 500 }, (_, j) => ({ n: i * 500 + j, pad: 'x'.repeat(40) })))
    let done = false
    const truncated = log.truncateBefore(50_000).then((r) => ((done = true), r))
    const during = []
    let turns = 0
    while (!done) {
      during.push((await log.append([`during ${turns}`])).lastSeq)
      await new Promise((resolve) => setImmediate(resolve))
      turns++
    }
    assert.deepEqual(await truncated, { removed: 50_000 })
    assert.ok(turns > 0)
    const after = await log.read()
    assert.equal(after[0].seq, 50_001)
    assert.equal(after.length, 50_000 + during.length)
    assert.deepEqual(after.slice(50_000).map((e) => e.seq), during)
    assert.deepEqual(readdirSync(join(log.file, '..')).sort(), ['history.jsonl', 'history.jsonl.lock'])
    // Concurrent truncates on one instance run one after the other.
    const [a, b] = await Promise.all([log.truncateBefore(60_000), log.truncateBefore(70_000)])
    assert.deepEqual([a, b], [{ removed: 10_000 }, { removed: 10_000 }])
    // close() while a copy runs: the truncate rejects, the log is left whole.
    const pending = log.truncateBefore(90_000)
    await log.close()
    await assert.rejects(pending, /closed/)
    const reopened = createAppendLog(log.file)
    assert.equal((await reopened.read({ limit: 1 }))[0].seq, 70_001)
    await reopened.close()
    assert.deepEqual(readdirSync(join(log.file, '..')).sort(), ['history.jsonl', 'history.jsonl.lock'])
  })

  it('close() releases the file descriptors', async () => {
    const log = createAppendLog(newFile())
    log.subscribe(undefined, () => {})
    await log.append([1])
    await log.read()
    const openOnLog = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(log.file)
        } catch {
          return false
        }
      }).length
    assert.ok(openOnLog() >= 2, 'the log and its lock are open')
    await log.close()
    assert.equal(openOnLog(), 0)
  })

  it('createAppendLog(file) needs a path string', () => {
    for (const bad of [123, undefined, null, '', {}, Buffer.from('x')]) {
      assert.throws(() => createAppendLog(bad), { name: 'TypeError', message: /file/ })
    }
    assert.throws(() => new AppendLog(5), { name: 'TypeError', message: /file/ })
    assert.equal(createMemoryAppendLog().file, null)
  })
})
