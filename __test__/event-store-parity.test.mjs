// EventStore parity with the original (SPEC §2): each scenario runs on the original and on
// native-ledger in separate fresh directories; results must be deep-equal, events.ndjson
// byte-identical, and index.json's original fields equal (see helpers/store-parity.mjs for
// exactly what is compared, and why storageSizeBytes and .lock values are compared by shape).
// Then interop: directories written by one implementation read and written by the other.
//
// Run against the original on both sides (STORE_UNDER_TEST=original) every "same results"
// subtest passes, which validates the harness. The "stats and index.json true to the events
// file" subtests of scenarios that write files behind the store's back fail on the original:
// its index only counts what went through append (SPEC §2: the index must be true to the file).
// Those are marked "original: index untrue" below.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Original, UnderTest, attempt, checkParity, lockShape, stats, LOCKED } from './helpers/store-parity.mjs'
import { readBytes, storeFiles, tempDir } from './helpers/store-fs.mjs'
import { runEvent, runEvents, shuffled } from './helpers/store-events.mjs'
import { Child, deadPid } from './helpers/store-child.mjs'
import { ORIGINAL_ENTRY, knownFailure } from './helpers/store-impl.mjs'

const write = (path, content) => {
  mkdirSync(path, { recursive: true })
  writeFileSync(storeFiles(path).events, content)
}
const appendAll = async (store, events) => {
  for (const e of events) await store.append(e)
}

test('append then readAll and getStats', async (t) => {
  await checkParity(t, async ({ store, stats }) => {
    const events = runEvents(12)
    const out = []
    for (const e of events) out.push(await store.append(e))
    return { returns: out, all: await store.readAll(), stats: await stats() }
  })
})

test('empty store: every reading method on a directory that does not exist', async (t) => {
  await checkParity(t, async ({ store, path, stats }) => {
    const r = {}
    r.readAll = await store.readAll()
    r.readRange = await store.readRange(0, Infinity)
    r.stats = await stats()
    r.compact = await store.compact(10)
    r.releaseLock = await attempt(() => store.releaseLock())
    r.destroy = await attempt(() => store.destroy())
    r.dirCreated = existsSync(path)
    return r
  })
})

for (const [name, op] of [
  ['append', (s) => s.append(runEvent(1))],
  ['writeAll', (s) => s.writeAll(runEvents(3))],
  ['writeAll([])', (s) => s.writeAll([])],
  ['acquireLock', (s) => s.acquireLock()],
]) {
  test(`${name} creates a nested directory that does not exist yet`, async (t) => {
    await checkParity(
      t,
      async ({ store, path, stats }) => {
        const returned = await op(store)
        return { returned, lock: lockShape(path), all: await store.readAll(), stats: await stats(), release: await attempt(() => store.releaseLock()) }
      },
      { sub: ['a', 'b', 'c'] },
    )
  })
}

test('readRange: inclusive bounds, file order, empty and inverted ranges', async (t) => {
  await checkParity(t, async ({ store }) => {
    const ts = [50, 10, 30, 30, 20, 40, 10.5, 60]
    await appendAll(store, ts.map((timestamp, i) => runEvent(i, { timestamp })))
    return {
      all: await store.readRange(-Infinity, Infinity),
      inclusive: await store.readRange(20, 40),
      fractional: await store.readRange(10.25, 10.75),
      single: await store.readRange(30, 30),
      none: await store.readRange(61, 100),
      inverted: await store.readRange(40, 20),
    }
  })
})

test('compact: keeps the newest by timestamp in ascending order and returns the evicted count', async (t) => {
  await checkParity(t, async ({ store, path, stats }) => {
    const events = shuffled(runEvents(40), 7)
    await appendAll(store, events)
    const r = {}
    r.bigger = await store.compact(100)
    r.exact = await store.compact(40)
    r.unchanged = readFileSync(storeFiles(path).events, 'utf8') === events.map((e) => JSON.stringify(e) + '\n').join('')
    r.evicted = await store.compact(15)
    r.kept = await store.readAll()
    r.stats = await stats()
    r.again = await store.compact(15)
    r.toZero = await store.compact(0)
    r.afterZero = await store.readAll()
    r.statsZero = await stats()
    return r
  })
})

test('compact keeps events with equal timestamps in their file order (stable sort)', async (t) => {
  await checkParity(t, async ({ store, stats }) => {
    const ts = [5, 3, 5, 3, 1, 5, 3, 1, 5, 2]
    await appendAll(store, ts.map((timestamp, i) => runEvent(i, { timestamp })))
    return { evicted: await store.compact(6), kept: await store.readAll(), stats: await stats(), evicted2: await store.compact(2), kept2: await store.readAll() }
  })
})

test('writeAll replaces everything; writeAll([]) leaves an empty file; append after writeAll', async (t) => {
  await checkParity(t, async ({ store, stats }) => {
    await appendAll(store, runEvents(5))
    const r = {}
    r.write = await store.writeAll(runEvents(8).slice(3).reverse())
    r.afterWrite = await store.readAll()
    r.stats = await stats()
    await store.writeAll([])
    r.empty = await store.readAll()
    r.statsEmpty = await stats()
    await store.append(runEvent(99))
    r.afterAppend = await store.readAll()
    r.statsAppend = await stats()
    return r
  })
})

test('acquireLock and releaseLock between two instances of one process', async (t) => {
  await checkParity(t, async ({ EventStore, store, path }) => {
    const other = new EventStore(path)
    const r = {}
    r.acquire = await attempt(() => store.acquireLock())
    r.lock = lockShape(path)
    r.otherAcquire = await attempt(() => other.acquireLock())
    r.otherRelease = await attempt(() => other.releaseLock())
    r.lockAfterOtherRelease = lockShape(path)
    r.release = await attempt(() => store.releaseLock())
    r.lockAfterRelease = lockShape(path)
    r.releaseAgain = await attempt(() => store.releaseLock())
    r.otherAcquireNow = await attempt(() => other.acquireLock())
    r.lockOther = lockShape(path)
    r.storeAcquireNow = await attempt(() => store.acquireLock())
    r.otherReleaseNow = await attempt(() => other.releaseLock())
    r.end = lockShape(path)
    return r
  })
})

test('acquireLock twice on one instance rejects the second time, as the original does', async (t) => {
  await checkParity(
    t,
    async ({ store, path }) => ({
      first: await attempt(() => store.acquireLock()),
      second: await attempt(() => store.acquireLock()),
      release: await attempt(() => store.releaseLock()),
      lock: lockShape(path),
    }),
  )
})

test('a corrupt .lock is replaced by acquireLock', async (t) => {
  await checkParity(
    t,
    async ({ store, path }) => ({ acquire: await attempt(() => store.acquireLock()), lock: lockShape(path), release: await attempt(() => store.releaseLock()), after: lockShape(path) }),
    { setup: (path) => (mkdirSync(path, { recursive: true }), writeFileSync(storeFiles(path).lock, '{"holder":"x","timest')) },
  )
})

test('a lock of a live process is respected; a lock both old and of a dead process is taken over', async (t) => {
  const dead = await deadPid()
  for (const [name, lock, todo = false] of [
    // process.ppid is the test runner: alive, and not this process.
    ['fresh, live pid', { holder: 'someone-else', timestamp: Date.now(), pid: process.ppid }],
    ['old, dead pid', { holder: 'someone-else', timestamp: Date.now() - 120_000, pid: dead }],
    ['fresh, no pid', { holder: 'someone-else', timestamp: Date.now() }],
    ['old, no pid', { holder: 'someone-else', timestamp: Date.now() - 120_000 }],
  ]) {
    await t.test(name, { todo }, async (t) => {
      await checkParity(
        t,
        async ({ store, path }) => ({
          acquire: await attempt(() => store.acquireLock()),
          lock: lockShape(path),
          release: await attempt(() => store.releaseLock()),
          after: lockShape(path),
        }),
        { todo, setup: (path) => (mkdirSync(path, { recursive: true }), writeFileSync(storeFiles(path).lock, JSON.stringify(lock))) },
      )
    })
  }
})

test('destroy removes events, index and lock, but not the directory or other files', async (t) => {
  await checkParity(t, async ({ store, path, stats }) => {
    await appendAll(store, runEvents(4))
    await store.acquireLock()
    writeFileSync(join(path, 'keep.txt'), 'not the store’s')
    const r = {}
    r.destroy = await store.destroy()
    r.left = readdirSync(path).sort()
    r.all = await store.readAll()
    r.stats = await stats()
    r.destroyAgain = await attempt(() => store.destroy())
    r.release = await attempt(() => store.releaseLock())
    await store.append(runEvent(7))
    r.afterAppend = await store.readAll()
    return r
  })
})

// original: index untrue (the hand-written lines never went through its index).
test('malformed, blank, CRLF and space-padded lines are skipped; compact rewrites what parses', async (t) => {
  const good = runEvents(6, (i) => ({ timestamp: 1000 - i }))
  const lines = [
    JSON.stringify(good[0]),
    '',
    '   ',
    JSON.stringify(good[1]) + '\r',
    '{"eventId": "broken", "timestamp": 5',
    '  ' + JSON.stringify(good[2]) + '  \t',
    'not json at all',
    '\t',
    JSON.stringify(good[3]),
    '{"a":1}{"b":2}',
    '{"timestamp": 7, "eventId": "dup", "eventId": "dup2", "taskId": "t"}',
    '',
    '{"taskId":"t","timestamp":3,"big":12345678901234567890,"eventId":"big"}',
    JSON.stringify(good[4]).slice(0, 40),
    JSON.stringify(good[5]),
    '',
  ]
  await checkParity(
    t,
    async ({ store, stats }) => {
      const r = {}
      r.all = await store.readAll()
      r.range = await store.readRange(996, 1000)
      await store.append(runEvent(50, { timestamp: 2000 }))
      r.afterAppend = await store.readAll()
      r.evicted = await store.compact(5)
      r.kept = await store.readAll()
      r.stats = await stats()
      return r
    },
    { setup: (path) => write(path, lines.join('\n')) },
  )
})

// original: index untrue.
test('lines that are not objects are returned as JSON.parse gives them', async (t) => {
  const content = ['42', '"a string"', 'true', '[1,{"timestamp":2}]', 'null', '{}', '-0', '1e400', ''].join('\n')
  await checkParity(t, async ({ store }) => ({ all: await store.readAll() }), { setup: (path) => write(path, content) })
})

// original: index untrue.
test('lines padded with non-JSON whitespace (BOM, NBSP, U+2028, \\v, \\f) read as the original trims them', async (t) => {
  const e = (i) => JSON.stringify(runEvent(i))
  const content = '\uFEFF' + e(0) + '\n\u00A0' + e(1) + '\u00A0\n\u2028' + e(2) + '\u2029\n\v' + e(3) + '\f\n\u3000' + e(4) + '\n'
  await checkParity(
    t,
    async ({ store }) => ({ all: await store.readAll(), range: await store.readRange(0, Infinity) }),
    { setup: (path) => write(path, content) },
  )
})

// original: index untrue.
test('invalid UTF-8 inside a line reads as U+FFFD, as the original decodes the file', async (t) => {
  const a = Buffer.from(JSON.stringify(runEvent(0)) + '\n')
  const bad = Buffer.concat([Buffer.from('{"taskId":"t","timestamp":5,"s":"x'), Buffer.from([0xff, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from('y"}\n')])
  const b = Buffer.from(JSON.stringify(runEvent(1)) + '\n')
  await checkParity(t, async ({ store }) => ({ all: await store.readAll() }), { setup: (path) => write(path, Buffer.concat([a, bad, b])) })
})

test('compact leaves a small enough file untouched and re-serializes lines as JSON.stringify does', async (t) => {
  const lines = [
    '{ "taskId" : "t1" , "timestamp" : 1.0 , "a" : [ 1 , 2 ] }',
    '{"taskId":"t2","timestamp":2e0,"s":"\\u0041\\/\\u00e9"}',
    '{"taskId":"t1","timestamp":3,"n":1E2,"f":-0.0,"x":100000000000000000000000}',
    '{"taskId":"t3","timestamp":4,"nested":{ "z":1,"a":2 }}',
    '{"taskId":"t2","timestamp":0,"gone":true}',
  ]
  await checkParity(
    t,
    async ({ store, path, stats }) => {
      const r = {}
      r.noop = await store.compact(1e9)
      r.bytesAfterNoop = readFileSync(storeFiles(path).events, 'utf8')
      r.evicted = await store.compact(4)
      r.kept = await store.readAll()
      r.stats = await stats()
      return r
    },
    { setup: (path) => write(path, lines.join('\n') + '\n') },
  )
})

test('strings: unicode, quotes, backslashes, U+2028/U+2029, control characters, lone surrogates', async (t) => {
  const strings = [
    'plain',
    'héllo wörld — ünïcödé',
    '日本語のテキスト',
    '👩‍💻🚀 emoji with ZWJ',
    'e\u0301 combining',
    'quote " and \' and `',
    'back\\slash \\n not a newline \\u0041',
    'line\u2028separator\u2029paragraph',
    'controls \u0000\u0001\u0007\b\t\n\v\f\r\u001b\u001f\u007f\u0080\u009f',
    'lone \ud800 high and \udc00 low and \udbff\udfff pair',
    '</script><!--',
    '\ufeffBOM inside',
    '',
  ]
  await checkParity(t, async ({ store, stats }) => {
    for (let i = 0; i < strings.length; i++) {
      await store.append(runEvent(i, { text: strings[i], [strings[i]]: strings[i], taskId: `task-${strings[i]}` }))
    }
    return { all: await store.readAll(), stats: await stats(), compact: await store.compact(5), kept: await store.readAll() }
  })
})

test('numbers in payloads: 1e21, -0, 4294967296, 0.1+0.2, NaN, Infinity and extremes', async (t) => {
  const numbers = [1e21, 1e-7, -0, 0, 4294967296, 2 ** 53, 2 ** 53 + 2, 0.1 + 0.2, 5e-324, Number.MAX_VALUE, -1.5e300, NaN, Infinity, -Infinity, 123456789.125]
  await checkParity(t, async ({ store, stats }) => {
    await store.append(runEvent(0, { numbers, byKey: Object.fromEntries(numbers.map((n, i) => [`n${i}`, n])) }))
    for (let i = 0; i < numbers.length; i++) await store.append(runEvent(i + 1, { value: numbers[i] }))
    return { all: await store.readAll(), stats: await stats() }
  })
})

test('unusual numeric timestamps: 1e21, 4294967296, 0.1+0.2, negatives and fractions', async (t) => {
  const ts = [1e21, 4294967296, 0.1 + 0.2, -5, 1.5, 2 ** 53 + 2, 0.3, 1e-7, -1e21]
  await checkParity(t, async ({ store, stats }) => {
    await appendAll(store, ts.map((timestamp, i) => runEvent(i, { timestamp })))
    const r = {}
    r.stats = await stats()
    r.range = await store.readRange(0.3, 4294967296)
    r.rangeAll = await store.readRange(-1e21, 1e21)
    r.evicted = await store.compact(5)
    r.kept = await store.readAll()
    r.statsAfter = await stats()
    return r
  })
})

test('a timestamp of -0', async (t) => {
  await checkParity(t, async ({ store, stats }) => {
    await appendAll(store, [runEvent(0, { timestamp: 5 }), runEvent(1, { timestamp: -0 }), runEvent(2, { timestamp: 3 })])
    const r = { stats: await stats(), range: await store.readRange(0, 0), rangeNeg: await store.readRange(-0, -0) }
    r.evicted = await store.compact(2)
    r.kept = await store.readAll()
    r.statsAfter = await stats()
    return r
  })
})

test('Dates, toJSON, undefined, functions and symbols serialize as JSON.stringify does', async (t) => {
  const event = runEvent(1, {
    createdAt: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)),
    epoch: new Date(0),
    invalid: new Date(NaN),
    custom: { toJSON: (key) => ({ key, replaced: true }) },
    undef: undefined,
    fn() {},
    sym: Symbol('s'),
    [Symbol('k')]: 'symbol key',
    arr: [undefined, () => 1, Symbol('x'), new Date(1), null],
    boxed: [new Number(3), new String('s'), new Boolean(false)],
    map: new Map([[1, 2]]),
    set: new Set([1]),
    typed: new Uint8Array([1, 2]),
    regexp: /x/g,
  })
  await checkParity(t, async ({ store }) => {
    await store.append(event)
    // toJSON on the event itself sees the key '' in append and in writeAll alike
    const selfSerializing = { timestamp: 7, taskId: 'tj', toJSON: (key) => ({ timestamp: 7, taskId: 'tj', key }) }
    await store.writeAll([event, runEvent(2, { when: new Date(5) }), selfSerializing])
    await store.append(selfSerializing)
    await store.append(runEvent(3, { when: new Date(6), nothing: undefined }))
    return { all: await store.readAll() }
  })
})

test('extra fields, __proto__ keys, numeric-like keys and nesting 64 deep round-trip', async (t) => {
  let deep = { leaf: 'bottom' }
  for (let i = 0; i < 64; i++) deep = { level: i, child: deep, list: [deep.leaf ?? i] }
  const odd = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":1},"2":"two","1":"one","b":1,"a":2}')
  await checkParity(t, async ({ store, stats }) => {
    await store.append(runEvent(0, { deep, odd, extra: { many: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])) } }))
    await store.append({ ...odd, timestamp: 5, taskId: 'odd' })
    const all = await store.readAll()
    return { all, protoIsOwn: Object.hasOwn(all[1], '__proto__'), polluted: {}.polluted, stats: await stats() }
  })
})

test('nesting 1,000 deep round-trips', async (t) => {
  let deep = []
  for (let i = 0; i < 1000; i++) deep = i % 2 ? [deep] : { d: deep }
  await checkParity(t, async ({ store, stats }) => {
    await store.append(runEvent(0, { deep }))
    await store.append(runEvent(1))
    return { all: await store.readAll(), stats: await stats(), compact: await store.compact(1), kept: await store.readAll() }
  })
})

test('a 2 MB event round-trips', async (t) => {
  const big = 'x'.repeat(2 * 1024 * 1024 - 7) + 'é€😀'
  await checkParity(t, async ({ store, stats }) => {
    await store.append(runEvent(0))
    await store.append(runEvent(1, { big }))
    await store.append(runEvent(2))
    const all = await store.readAll()
    return { count: all.length, same: all[1].big === big, range: (await store.readRange(0, Infinity)).length, stats: await stats() }
  })
})

// original: index untrue.
test('readRange over hand-written events with missing, null, string and boolean timestamps', async (t) => {
  const lines = [
    { eventId: 'num', timestamp: 5 },
    { eventId: 'missing' },
    { eventId: 'null', timestamp: null },
    { eventId: 'numeric-string', timestamp: '5' },
    { eventId: 'padded-string', timestamp: ' 6 ' },
    { eventId: 'word', timestamp: 'soon' },
    { eventId: 'empty-string', timestamp: '' },
    { eventId: 'true', timestamp: true },
    { eventId: 'false', timestamp: false },
    { eventId: 'array', timestamp: [4] },
    { eventId: 'object', timestamp: { t: 4 } },
    { eventId: 'iso', timestamp: '2024-01-01T00:00:00.000Z' },
  ].map((e) => JSON.stringify(e))
  await checkParity(
    t,
    async ({ store }) => ({
      zeroToTen: await store.readRange(0, 10),
      zero: await store.readRange(0, 0),
      one: await store.readRange(1, 1),
      negative: await store.readRange(-10, -1),
      all: await store.readRange(-Infinity, Infinity),
    }),
    { setup: (path) => write(path, lines.join('\n') + '\n') },
  )
})

test('the whole API in one sequence', async (t) => {
  await checkParity(t, async ({ EventStore, store, path, stats }) => {
    const r = {}
    await appendAll(store, shuffled(runEvents(30), 3))
    r.range = await store.readRange(1_700_000_005_000, 1_700_000_015_000)
    r.stats1 = await stats()
    await store.acquireLock()
    r.lock = lockShape(path)
    r.compact = await store.compact(20)
    await store.writeAll((await store.readAll()).filter((e) => e.taskId !== 'task-3'))
    await store.releaseLock()
    await appendAll(store, runEvents(3).map((e) => ({ ...e, eventId: `late-${e.eventId}` })))
    r.stats2 = await stats()
    r.fresh = await stats(new EventStore(path))
    r.all = await store.readAll()
    await store.destroy()
    r.afterDestroy = { all: await store.readAll(), stats: await stats(), files: readdirSync(path) }
    return r
  })
})

// ---------------------------------------------------------------------------------------------
// Interop: same directory, both implementations.

const writeSteps = async (store) => {
  await appendAll(store, shuffled(runEvents(30), 11))
  await store.compact(20)
  const kept = await store.readAll()
  await store.writeAll([...kept.slice(5), runEvent(100, { timestamp: 1 })])
  await appendAll(store, runEvents(4).map((e) => ({ ...e, eventId: `tail-${e.eventId}`, timestamp: e.timestamp + 0.5 })))
}
const readSteps = async (store, path) => ({
  all: await store.readAll(),
  range: await store.readRange(1_700_000_010_000, 1_700_000_025_000),
  stats: await stats(store, path),
})

test('interop: a directory written by the original reads the same in native-ledger', async (t) => {
  const a = join(tempDir(t), 'store')
  const b = join(tempDir(t), 'store')
  await writeSteps(new Original(a))
  cpSync(a, b, { recursive: true })
  assert.deepStrictEqual(await readSteps(new UnderTest(b), b), await readSteps(new Original(a), a))
  // and native-ledger's own writes continue the original's file exactly as the original would
  const [na, nb] = [new Original(a), new UnderTest(b)]
  assert.equal(await nb.compact(10), await na.compact(10))
  await nb.append(runEvent(200))
  await na.append(runEvent(200))
  assert.deepStrictEqual(await readSteps(new UnderTest(b), b), await readSteps(new Original(a), a))
  assert.ok(readBytes(storeFiles(b).events).equals(readBytes(storeFiles(a).events)), 'events.ndjson differs')
})

test('interop: a directory written by native-ledger reads the same in the original, index included', async (t) => {
  const a = join(tempDir(t), 'store')
  const b = join(tempDir(t), 'store')
  await writeSteps(new Original(a))
  const native = new UnderTest(b)
  await writeSteps(native)
  await native.getStats() // settles index.json
  assert.ok(readBytes(storeFiles(b).events).equals(readBytes(storeFiles(a).events)), 'events.ndjson differs')
  // The original's getStats reports what index.json says: this checks native-ledger's index.
  assert.deepStrictEqual(await readSteps(new Original(b), b), await readSteps(new Original(a), a))
  // The original keeps appending to native-ledger's directory with a correct index.
  await new Original(b).append(runEvent(300, { timestamp: 0 }))
  await new Original(a).append(runEvent(300, { timestamp: 0 }))
  assert.deepStrictEqual(await readSteps(new Original(b), b), await readSteps(new Original(a), a))
})

test('interop: the original and native-ledger alternating on one directory', async (t) => {
  // Each step runs on the named implementation; the reference runs every step on the original.
  // After a native-ledger step its getStats() settles index.json before the original goes on.
  const steps = [
    ['o', (s) => appendAll(s, runEvents(5))],
    ['n', (s) => appendAll(s, runEvents(10).slice(5))],
    ['o', (s) => appendAll(s, runEvents(15).slice(10))],
    ['n', (s, p) => stats(s, p)],
    ['o', (s, p) => stats(s, p)],
    ['n', (s) => s.compact(8)],
    ['o', (s) => appendAll(s, runEvents(18).slice(15).map((e) => ({ ...e, timestamp: e.timestamp - 1e7 })))],
    ['n', async (s, p) => ({ all: await s.readAll(), stats: await stats(s, p) })],
    ['o', async (s, p) => ({ all: await s.readAll(), stats: await stats(s, p) })],
    ['o', (s) => s.compact(6)],
    ['n', (s) => s.append(runEvent(18, { taskId: 'new-task' }))],
    ['o', (s, p) => stats(s, p)],
    ['o', async (s) => s.writeAll([...(await s.readAll()), runEvent(19)])],
    ['n', (s) => s.append(runEvent(20))],
    ['o', (s) => s.append(runEvent(21))],
    ['n', async (s, p) => ({ all: await s.readAll(), stats: await stats(s, p), range: await s.readRange(0, 1_700_000_010_000) })],
    ['o', async (s, p) => ({ all: await s.readAll(), stats: await stats(s, p) })],
  ]
  const run = async (path, mixed) => {
    const out = []
    for (const [who, step] of steps) {
      const Impl = mixed && who === 'n' ? UnderTest : Original
      const store = new Impl(path)
      out.push(await step(store, path))
      if (Impl === UnderTest) await store.getStats()
    }
    return { out, events: readBytes(storeFiles(path).events).toString('utf8') }
  }
  const reference = await run(join(tempDir(t), 'store'), false)
  const mixed = await run(join(tempDir(t), 'store'), true)
  assert.deepStrictEqual(mixed, reference)
})

test('interop: a lock held by the original in another process holds against native-ledger, and back', async (t) => {
  const path = join(tempDir(t), 'store')
  const original = new Child(t, 'lock-contender.mjs', [ORIGINAL_ENTRY, path])
  await original.expect('ready')
  const n = new UnderTest(path)

  original.send({ go: 0 })
  assert.equal((await original.expect('won')).won, true)
  const originalLock = readFileSync(storeFiles(path).lock)
  await assert.rejects(n.acquireLock(), (e) => e.message.startsWith(LOCKED), 'native-ledger took the original’s lock')
  await n.releaseLock()
  assert.ok(readFileSync(storeFiles(path).lock).equals(originalLock), 'native-ledger released or changed the original’s lock')
  original.send({ release: true })
  await original.expect('released')
  assert.equal(existsSync(storeFiles(path).lock), false)

  await n.acquireLock()
  original.send({ go: 0 })
  const answer = await original.expect('won')
  assert.equal(answer.won, false, 'the original took native-ledger’s lock')
  assert.ok(answer.message.startsWith(LOCKED), answer.message)
  original.send({ release: true })
  await original.expect('released')
  assert.equal(existsSync(storeFiles(path).lock), true, 'the original released native-ledger’s lock')
  await n.releaseLock()
  assert.equal(existsSync(storeFiles(path).lock), false, 'native-ledger did not remove its lock')
  await original.close()
})

test('interop: locks of the original and native-ledger in one process hold against each other', async (t) => {
  const path = join(tempDir(t), 'store')
  const [o, n] = [new Original(path), new UnderTest(path)]
  await o.acquireLock()
  const originalLock = readFileSync(storeFiles(path).lock)
  await assert.rejects(n.acquireLock(), (e) => e.message.startsWith(LOCKED), 'native-ledger took the original’s lock')
  await n.releaseLock()
  assert.ok(readFileSync(storeFiles(path).lock).equals(originalLock), 'native-ledger released or changed the original’s lock')
  await o.releaseLock()
  assert.equal(existsSync(storeFiles(path).lock), false)

  await n.acquireLock()
  assert.deepStrictEqual(Object.keys(JSON.parse(readFileSync(storeFiles(path).lock, 'utf8'))), ['holder', 'timestamp', 'pid'])
  await assert.rejects(o.acquireLock(), (e) => e.message.startsWith(LOCKED), 'the original took native-ledger’s lock')
  await o.releaseLock()
  assert.equal(existsSync(storeFiles(path).lock), true, 'the original released native-ledger’s lock')
  await n.releaseLock()
  assert.equal(existsSync(storeFiles(path).lock), false, 'native-ledger did not remove its lock')
})
