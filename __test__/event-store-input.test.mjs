// EventStore on bad input (SPEC §7, and §4's "unserializable events are refused"): arguments of
// the wrong type and events that JSON cannot represent give a TypeError naming the problem, and
// leave nothing behind: no file changed, no temp file, no directory created.
//
// On the original (STORE_UNDER_TEST=original):
//  - FAILS: non-string storagePath (its TypeError comes from path.join and names "path", not
//    the argument storagePath), non-numeric maxEvents and non-numeric readRange bounds (coerced
//    silently), and "a refused event creates nothing" (it creates the directory first).
//    "A refused event among concurrent appends" fails only on its last line: the original's
//    index counts 2 of the 90 events that concurrent appends wrote (SPEC §6.1).
//  - passes: a BigInt or a cycle in append/writeAll on an existing store, since V8's
//    JSON.stringify throws before the original writes anything. These guard against
//    native-ledger regressing where the original was already right.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadStoreUnderTest } from './helpers/store-impl.mjs'
import { fileLines, snapshotDir, storeFiles, tempDir } from './helpers/store-fs.mjs'
import { runEvent, runEvents } from './helpers/store-events.mjs'

const { EventStore, createEventStore } = await loadStoreUnderTest()

/** `fn` throws or rejects (SPEC §7 allows either) with an instance of `Ctor` whose message matches `re`. */
async function failsWith(fn, Ctor, re, what) {
  let err
  try {
    await fn()
  } catch (e) {
    err = e
  }
  assert.ok(err !== undefined, `${what}: neither threw nor rejected`)
  assert.ok(err instanceof Ctor, `${what}: got ${err?.name}: ${err?.message} instead of a ${Ctor.name}`)
  assert.match(err.message, re, `${what}: the message does not name the problem`)
}

const show = (v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : v instanceof URL ? `URL(${v})` : Buffer.isBuffer(v) ? 'Buffer' : JSON.stringify(v) ?? String(v))

async function storeWith(t, events) {
  const path = join(tempDir(t), 'store')
  const store = new EventStore(path)
  for (const e of events) await store.append(e)
  await store.getStats() // settles index.json, so the snapshot holds the store at rest
  return { store, path }
}

test('a non-string storagePath is a TypeError naming storagePath, and creates nothing', async (t) => {
  // Run where a coerced path ("123", "[object Object]") would show up.
  const cwd = mkdtempSync(join(tmpdir(), 'nl-store-cwd-'))
  const before = process.cwd()
  process.chdir(cwd)
  t.after(() => {
    process.chdir(before)
    rmSync(cwd, { recursive: true, force: true })
  })
  for (const bad of [123, undefined, null, {}, ['a'], true, Buffer.from('buf'), new URL('file:///tmp/nl-store-url'), Symbol('s')]) {
    for (const [how, make] of [['new EventStore', (p) => new EventStore(p)], ['createEventStore', (p) => createEventStore(p)]]) {
      await failsWith(
        async () => {
          const store = make(bad)
          await store.append(runEvent(0)) // if construction is accepted, the first use must refuse
        },
        TypeError,
        /storagePath/,
        `${how}(${show(bad)})`,
      )
    }
  }
  assert.deepStrictEqual(readdirSync(cwd), [], 'something was written for a non-string path')
  assert.equal(existsSync('/tmp/nl-store-url'), false)
})

test('compact with a non-numeric maxEvents is a TypeError naming maxEvents; nothing changes', async (t) => {
  const { store, path } = await storeWith(t, runEvents(5))
  const before = snapshotDir(path)
  for (const bad of ['10', '', null, undefined, {}, [3], true, 3n]) {
    await failsWith(() => store.compact(bad), TypeError, /maxEvents/, `compact(${show(bad)})`)
    assert.deepStrictEqual(snapshotDir(path), before, `compact(${show(bad)}) changed the store`)
  }
  assert.equal((await store.readAll()).length, 5)
})

test('readRange with a non-numeric bound is a TypeError naming that bound', async (t) => {
  const { store } = await storeWith(t, runEvents(5))
  const lo = 1_700_000_000_000
  for (const [args, re] of [
    [['0', lo + 1e6], /start/i],
    [[lo, String(lo + 1e6)], /end/i],
    [[undefined, lo + 1e6], /start/i],
    [[lo], /end/i],
    [[null, lo + 1e6], /start/i],
    [[lo, {}], /end/i],
    [[BigInt(lo), lo + 1e6], /start/i],
  ]) {
    await failsWith(() => store.readRange(...args), TypeError, re, `readRange(${args.map(show).join(', ')})`)
  }
})

const withBigInt = {
  'a BigInt field': () => ({ ...runEvent(1), n: 1n }),
  'a BigInt deep inside': () => ({ ...runEvent(1), a: { b: [{ c: [0, 1, 2n] }] } }),
  'a toJSON returning a BigInt': () => ({ ...runEvent(1), x: { toJSON: () => 5n } }),
}
const withCycle = {
  'an event referring to itself': () => {
    const e = runEvent(1)
    e.self = e
    return e
  },
  'a cycle through an array': () => {
    const e = runEvent(1)
    const box = { list: [] }
    box.list.push({ box })
    e.box = box
    return e
  },
}
const unserializable = [
  ...Object.entries(withBigInt).map(([name, make]) => [name, make, /BigInt/]),
  ...Object.entries(withCycle).map(([name, make]) => [name, make, /circular|cycl/i]),
]

for (const [name, make, re] of unserializable) {
  test(`append of an event with ${name} is a TypeError; nothing is written`, async (t) => {
    const { store, path } = await storeWith(t, runEvents(3))
    const before = snapshotDir(path)
    await failsWith(() => store.append(make()), TypeError, re, 'append')
    assert.deepStrictEqual(snapshotDir(path), before, 'the store directory changed')
    // the refusal leaves the store usable
    await store.append(runEvent(9))
    assert.deepStrictEqual(await new EventStore(path).readAll(), [...runEvents(3), runEvent(9)])
    assert.equal((await new EventStore(path).getStats()).eventCount, 4)
  })

  test(`writeAll with one event with ${name} is a TypeError; the file is unchanged, no temp file left`, async (t) => {
    const { store, path } = await storeWith(t, runEvents(3))
    const before = snapshotDir(path)
    await failsWith(() => store.writeAll([runEvent(5), make(), runEvent(6)]), TypeError, re, 'writeAll')
    assert.deepStrictEqual(snapshotDir(path), before, 'the store directory changed')
    assert.deepStrictEqual(await store.readAll(), runEvents(3))
  })
}

test('a refused event creates nothing on a path that does not exist yet', async (t) => {
  const root = tempDir(t)
  const path = join(root, 'a', 'b', 'store')
  const store = new EventStore(path)
  for (const [name, make, re] of unserializable) {
    await failsWith(() => store.append(make()), TypeError, re, `append (${name})`)
    await failsWith(() => store.writeAll([make()]), TypeError, re, `writeAll (${name})`)
  }
  assert.deepStrictEqual(readdirSync(root), [], 'a directory was created for refused events')
})

test('a refused event among concurrent appends fails alone; every other append lands whole', async (t) => {
  const path = join(tempDir(t), 'store')
  const store = new EventStore(path)
  const events = runEvents(100).map((e, i) => (i % 10 === 3 ? { ...e, bad: BigInt(i) } : e))
  const results = await Promise.allSettled(events.map((e) => store.append(e)))
  results.forEach((r, i) => {
    if (i % 10 === 3) assert.ok(r.status === 'rejected' && r.reason instanceof TypeError, `append #${i} (BigInt) was not refused with a TypeError`)
    else assert.equal(r.status, 'fulfilled', `append #${i} failed: ${r.reason}`)
  })
  const good = events.filter((_, i) => i % 10 !== 3)
  const lines = fileLines(storeFiles(path).events)
  assert.deepStrictEqual([...lines].sort(), good.map((e) => JSON.stringify(e)).sort(), 'the lines on disk')
  assert.equal((await new EventStore(path).getStats()).eventCount, 90, 'getStats().eventCount of a fresh EventStore')
})

test('an OS error reaches the caller with err.code and err.errno, as fs errors do', async () => {
  const { EventStore } = await import('../index.mjs')
  const dir = mkdtempSync(join(tmpdir(), 'nl-errno-'))
  try {
    // events.ndjson is a directory: every read and write of it fails with EISDIR.
    mkdirSync(join(dir, 'events.ndjson'))
    const store = new EventStore(dir)
    await assert.rejects(store.readAll(), (err) => err.code === 'EISDIR' && err.errno < 0 && err.path === dir)
    await assert.rejects(store.append({ a: 1 }), (err) => err.code === 'EISDIR')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
