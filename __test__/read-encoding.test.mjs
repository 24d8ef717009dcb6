// readAll() and init() read events in the values-only form (src/store/values_only.rs,
// lib/chunk-decoder.js): events of a repeated key list are rebuilt by generated object
// literals. Whatever the lines hold, every event must be indistinguishable from what the
// original gives: `JSON.parse(line.trim())` of each line of the file read as UTF-8, invalid
// lines skipped. Compared deep-equal (strict: prototypes, -0), by key order (JSON.stringify,
// recursively) and by prototype.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { tempDir } from './helpers/store-fs.mjs'
import { runEvents } from './helpers/store-events.mjs'

const { createEventStore, createPersistentLedger } = createRequire(import.meta.url)('../index.js')

/** What the original reads from a file of these bytes. */
function expected(bytes) {
  const out = []
  for (const line of bytes.toString('utf8').split('\n')) {
    const text = line.trim()
    if (text === '') continue
    try {
      out.push(JSON.parse(text))
    } catch {}
  }
  return out
}

/** Own keys, in order, of every object in `v`, and each object's prototype. */
function layout(v, out = []) {
  if (v !== null && typeof v === 'object') {
    out.push([Object.getPrototypeOf(v), Reflect.ownKeys(v)])
    for (const k of Reflect.ownKeys(v)) layout(v[k], out)
  }
  return out
}

function assertSameEvents(actual, wanted) {
  assert.equal(actual.length, wanted.length)
  for (let i = 0; i < wanted.length; i++) {
    const [a, w] = [actual[i], wanted[i]]
    assert.deepStrictEqual(a, w, `event ${i}`)
    assert.equal(JSON.stringify(a), JSON.stringify(w), `key order of event ${i}`)
    assert.deepStrictEqual(layout(a), layout(w), `keys and prototypes of event ${i}`)
  }
}

function writeEvents(t, bytes) {
  const dir = tempDir(t, 'nl-read-encoding-')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'events.ndjson'), bytes)
  return dir
}

async function checkBoth(t, bytes) {
  const dir = writeEvents(t, bytes)
  const wanted = expected(bytes)
  assertSameEvents(await createEventStore(dir).readAll(), wanted)
  const ledger = createPersistentLedger({ storagePath: dir, compactIntervalMs: 0 })
  await ledger.init()
  try {
    assertSameEvents(ledger.exportEvents(), wanted)
  } finally {
    await ledger.destroy()
  }
  return wanted
}

const ADVERSARIAL = [
  '{"__proto__":{"x":1},"a":1}',
  '{"a":{"__proto__":5},"b":1}',
  '{"a":{"__proto__":null}}',
  '{"b":1,"0":2,"a":3}',
  '{"4294967295":1,"b":2}',
  '{"4294967294":1,"b":2}',
  '{"1":{"2":3},"x":{"12":0,"y":1}}',
  '{"01":1,"-1":2,"1.5":3}',
  '{"a":1,"b":2,"a":3}',
  '{"n":{"x":1,"y":2,"x":3},"m":0}',
  '{"a":1,"\\u0061":2}',
  '{"a\\"b":1,"c\\\\d":{"e\\nf":2}}',
  '{"é":1,"日本":{"ü":2},"😀":3}',
  '{"a\u2028b":1,"\u2029":{"\u0085":2},"\ufeff":3}',
  '{"\\ud800":1,"\\udfff":"\\ud83d"}',
  '{"v":-0,"w":[-0],"x":{"y":-0}}',
  '{"v":1e21,"w":1E400,"x":-1e-7,"y":0.1,"z":123456789012345678901234567890}',
  '{"s":"\\n\\t\\u2028\\u2029\\ud800\\"q\\\\","t":"\\u0000"}',
  '{ "a" : 1 , "b" : { "c" : 2 } }',
  '  {"a":1,"b":{"c":2}}\t',
  '{"a":{},"b":[],"c":{"d":{}}}',
  '{}',
  '{"a":{"b":{"c":{"d":{"e":1}}}}}',
  '{"constructor":1,"toString":{"valueOf":2},"hasOwnProperty":3}',
  '{"a":1}',
  '{"a":"x"}',
  '{"a":[1,{"b":2}]}',
  '{"a":{"b":2}}',
  '{"a":null}',
  '{"a":[1,"x",null,true,-0,1e400],"b":[],"c":["\\ud800"]}',
  '{"a":[1,2,3,4,5,6,7,8,9],"b":[1,2,3,4,5,6,7,8]}',
  '{"a":[[1]],"b":[{"c":1}],"d":[1,[2]],"e":[ 1],"f":[1 ,2]}',
  '[1,{"a":2},[3]]',
  '[]',
  '"just a string"',
  '42',
  '-0',
  'null',
  'true',
  `{${Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  `{"big":{${Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`).join(',')}},"z":1}`,
  `{${Array.from({ length: 3 }, (_, j) => `"o${j}":{${Array.from({ length: 30 }, (_, i) => `"k${i}":${i}`).join(',')}}`).join(',')}}`,
]

test('adversarial keys and values, each repeated so that shapes are used', async (t) => {
  const lines = []
  // More rounds than the engine wants repeats before it gives a shape a constructor (32).
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < ADVERSARIAL.length; i++) lines.push(ADVERSARIAL[(i * 7 + round) % ADVERSARIAL.length])
    lines.push('{"a":1', 'garbage', '', '{"a":1}}')
  }
  const wanted = await checkBoth(t, Buffer.from(lines.join('\n') + '\n'))
  assert.equal(wanted.length, 40 * ADVERSARIAL.length)
  assert.equal(Object.getPrototypeOf(wanted[0]), Object.prototype)
})

test('invalid UTF-8 inside strings and keys reads as the original decodes it', async (t) => {
  const line = (k, v) => Buffer.concat([Buffer.from('{"'), k, Buffer.from('":"'), v, Buffer.from('","n":1}\n')])
  const parts = []
  for (let i = 0; i < 40; i++) {
    parts.push(line(Buffer.from([0x61, 0xff]), Buffer.from([0xc3])))
    parts.push(line(Buffer.from([0x61, 0xfe]), Buffer.from('ok')))
  }
  await checkBoth(t, Buffer.concat(parts))
})

test('shapes across chunk boundaries, a huge event, and a final line without newline', async (t) => {
  // About 8 MB: several of the engine's chunks, with shapes first seen in one and used in later ones.
  const events = runEvents(16_000)
  const lines = events.map((e, i) => {
    if (i % 3 === 0) return JSON.stringify({ ...e, extra: { i } })
    if (i === 7777) return JSON.stringify({ huge: 'x'.repeat(3 << 20), i })
    if (i % 5 === 0) return JSON.stringify(Object.fromEntries(Object.entries(e).reverse()))
    return JSON.stringify(e)
  })
  const wanted = await checkBoth(t, Buffer.from(lines.join('\n') + '\n{"last":true,"n":-0}'))
  assert.equal(wanted.length, events.length + 1)
})

test('where code generation is disallowed, shapes are built member by member, alike', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const lines = []
  for (let round = 0; round < 40; round++) lines.push(...ADVERSARIAL)
  const dir = writeEvents(t, Buffer.from(lines.join('\n') + '\n'))
  const child = spawnSync(
    process.execPath,
    [
      '--disallow-code-generation-from-strings',
      '-e',
      `require(${JSON.stringify(join(import.meta.dirname, '..', 'index.js'))})
        .createEventStore(process.argv[1]).readAll()
        .then((events) => process.stdout.write(JSON.stringify(events)))`,
      dir,
    ],
    { encoding: 'utf8' },
  )
  assert.equal(child.status, 0, child.stderr)
  assert.equal(child.stdout, JSON.stringify(expected(Buffer.from(lines.join('\n')))))
})
