// The `native-ledger` command, run as a person runs it: child processes, exit codes, output.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEventStore, createLedger, createAppendLog } from '../index.mjs'
import { makeEvents, makeEvent } from './helpers/events.mjs'
import { cli, cliRunning, repoRoot } from './helpers/dashboard.mjs'
import { waitFor } from './fixtures/append-log-helpers.mjs'

const root = mkdtempSync(join(tmpdir(), 'native-ledger-cli-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0
async function ledger(events = makeEvents(50, 3)) {
  const dir = join(root, `ledger-${n++}`)
  await createEventStore(dir).writeAll(events)
  return dir
}
const lines = (text) => text.split('\n').filter((l) => l !== '')

/** Runs a script in another Node process (an appender that is not the CLI). */
function otherProcess(source) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: repoRoot, stdio: 'inherit' })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`appender exited ${code}`))))
  })
}
const appendFrom = (dir, events) =>
  otherProcess(`import { createEventStore } from './index.mjs'
const s = createEventStore(${JSON.stringify(dir)})
for (const e of ${JSON.stringify(events)}) await s.append(e)`)

describe('command line', () => {
  it('--help for the command and each subcommand; no command is a usage error', async () => {
    const top = await cli(['--help'])
    assert.equal(top.code, 0)
    for (const c of ['stats', 'tail', 'verify', 'compact', 'export', 'import', 'serve']) {
      assert.match(top.stdout, new RegExp(`^  ${c} `, 'm'))
      const r = await cli([c, '--help'])
      assert.equal(r.code, 0, c)
      assert.match(r.stdout, new RegExp(`^Usage: native-ledger ${c} `), c)
    }
    assert.equal((await cli([])).code, 2)
  })

  it('unknown commands and flags, bad paths and bad values: one line on stderr, exit 2', async () => {
    const dir = await ledger()
    const cases = [
      ['frobnicate'],
      ['stats', dir, '--bogus'],
      ['tail', dir, '-x'],
      ['stats', join(root, 'no-such-dir')],
      ['stats'],
      ['stats', dir, 'extra'],
      ['tail', dir, '-n', 'ten'],
      ['compact', dir],
      ['compact', dir, '--keep', '-3'],
      ['export', dir, '--format', 'xml'],
      ['export', dir, '--since', 'yesterday-ish'],
      ['import', dir, join(root, 'missing.ndjson')],
      ['serve', dir, '--port', '70000'],
    ]
    for (const args of cases) {
      const r = await cli(args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(lines(r.stderr).length, 1, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^native-ledger: /)
      assert.equal(r.stdout, '')
    }
  })

  it('stats: count, size, oldest/newest, tasks and computeMetrics() of the ledger', async () => {
    const events = makeEvents(50, 3)
    const dir = await ledger(events)
    const r = await cli(['stats', dir, '--json'])
    assert.equal(r.code, 0, r.stderr)
    const s = JSON.parse(r.stdout)
    const expected = await createEventStore(dir).getStats()
    assert.equal(s.eventCount, 50)
    assert.equal(s.storageSizeBytes, expected.storageSizeBytes)
    assert.equal(s.oldestEvent, Math.min(...events.map((e) => e.timestamp)))
    assert.equal(s.newestEvent, Math.max(...events.map((e) => e.timestamp)))
    assert.equal(s.taskCount, new Set(events.map((e) => e.taskId)).size)
    assert.deepEqual(s.metrics, createLedger().computeMetrics(events))
    const text = await cli(['stats', dir])
    assert.match(text.stdout, /^events +50$/m)
    assert.match(text.stdout, /^violationRate +[\d.]+ per 10 runs$/m)
  })

  it('stats and tail of an AppendLog file', async () => {
    const file = join(root, 'history.jsonl')
    const log = createAppendLog(file)
    await log.append([{ kind: 'a' }, { kind: 'b' }, { kind: 'c' }])
    await log.truncateBefore(1)
    await log.close()
    const s = JSON.parse((await cli(['stats', file, '--json'])).stdout)
    assert.deepEqual([s.entries, s.firstSeq, s.lastSeq], [2, 2, 3])
    const t = await cli(['tail', file, '-n', '1', '--json'])
    assert.equal(t.code, 0, t.stderr)
    assert.equal(t.stdout, readFileSync(file, 'utf8').split('\n')[1] + '\n')
  })

  it('tail -n N: the last N events, as text or as the stored lines', async () => {
    const dir = await ledger()
    const stored = lines(readFileSync(join(dir, 'events.ndjson'), 'utf8'))
    const json = await cli(['tail', dir, '-n', '3', '--json'])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(lines(json.stdout), stored.slice(-3))
    const text = await cli(['tail', dir, '-n', '3'])
    const last = JSON.parse(stored.at(-1))
    assert.equal(lines(text.stdout).length, 3)
    assert.match(lines(text.stdout)[2], new RegExp(`^${new Date(last.timestamp).toISOString()}  ${last.taskId}  ${last.intent}  `))
    assert.equal(lines((await cli(['tail', dir])).stdout).length, 10)
    assert.equal(lines((await cli(['tail', dir, '-n', '500'])).stdout).length, 50)
  })

  it('tail -f prints what another process appends to a ledger', async () => {
    const dir = await ledger()
    const tail = cliRunning(['tail', dir, '-f', '-n', '1', '--json'])
    try {
      await waitFor(() => lines(tail.output().stdout).length === 1, { what: 'the last event', timeout: 20_000 })
      const fresh = [makeEvent(900), makeEvent(901)]
      fresh[0].taskId = 'followed-1'
      fresh[1].taskId = 'followed-2'
      await appendFrom(dir, fresh)
      await waitFor(() => lines(tail.output().stdout).length === 3, { what: 'the appended events', timeout: 20_000 })
      assert.deepEqual(lines(tail.output().stdout).slice(1).map((l) => JSON.parse(l).taskId), ['followed-1', 'followed-2'])
    } finally {
      await tail.stop()
    }
  })

  it('tail -f prints what another process appends to an AppendLog file', async () => {
    const file = join(root, 'followed.jsonl')
    const log = createAppendLog(file)
    await log.append([{ n: 1 }])
    await log.close()
    const tail = cliRunning(['tail', file, '-f', '--json'])
    try {
      await waitFor(() => lines(tail.output().stdout).length === 1, { what: 'the last entry', timeout: 20_000 })
      await otherProcess(`import { createAppendLog } from './index.mjs'
const log = createAppendLog(${JSON.stringify(file)}); await log.append([{ n: 2 }, { n: 3 }]); await log.close()`)
      await waitFor(() => lines(tail.output().stdout).length === 3, { what: 'the appended entries', timeout: 20_000 })
      assert.deepEqual(lines(tail.output().stdout).map((l) => JSON.parse(l).seq), [1, 2, 3])
    } finally {
      await tail.stop()
    }
  })

  it('verify: a clean ledger exits 0', async () => {
    const dir = await ledger()
    const r = await cli(['verify', dir])
    assert.equal(r.code, 0, r.stdout)
    assert.match(r.stdout, /index\.json: agrees with the events/)
    assert.match(r.stdout, /^clean$/m)
  })

  it('verify: bad lines, a torn tail, a wrong index and a stale lock, each as file:line; exit 1', async () => {
    const dir = await ledger(makeEvents(5, 3))
    const file = join(dir, 'events.ndjson')
    const good = lines(readFileSync(file, 'utf8'))
    writeFileSync(file, [good[0], '{"taskId": "x", oops', good[1], '', '[1,2]', good[2]].join('\n') + '\n' + good[3].slice(0, 40))
    // A pid that surely is not running: a child that has exited.
    const dead = spawn(process.execPath, ['-e', ''])
    await new Promise((r) => dead.on('close', r))
    writeFileSync(join(dir, '.lock'), JSON.stringify({ holder: 'h', timestamp: Date.now(), pid: dead.pid }))
    const r = await cli(['verify', dir, '--quiet'])
    assert.equal(r.code, 1, r.stdout)
    const out = r.stdout
    assert.match(out, new RegExp(`^${file}:2: not JSON: `, 'm'))
    assert.match(out, new RegExp(`^${file}:4: blank line$`, 'm'))
    assert.match(out, new RegExp(`^${file}:5: not an object`, 'm'))
    assert.match(out, new RegExp(`^${file}:7: unterminated last line, not JSON`, 'm'))
    assert.match(out, /index\.json: eventCount is 5, the events file has 4/)
    assert.match(out, new RegExp(`\\.lock: stale: pid ${dead.pid} is not running`))
    assert.match(out, /^\d+ problems found$/m)
  })

  it('verify: an AppendLog file whose seqs go backwards', async () => {
    const file = join(root, 'bad.jsonl')
    writeFileSync(file, '{"seq":1,"ts":1,"data":{}}\n{"seq":3,"ts":1,"data":{}}\n{"seq":2,"ts":1,"data":{}}\n')
    const r = await cli(['verify', file])
    assert.equal(r.code, 1)
    assert.match(r.stdout, new RegExp(`^${file}:3: seq 2 after seq 3`, 'm'))
  })

  it('compact --keep N: keeps the N newest, through the library', async () => {
    const events = makeEvents(50, 3)
    const dir = await ledger(events)
    const r = await cli(['compact', dir, '--keep', '10'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^evicted 40 events; 10 kept in /)
    const kept = await createEventStore(dir).readAll()
    const newest = events.map((e, i) => [e, i]).sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1]).slice(-10)
    assert.deepEqual(new Set(kept.map((e) => e.eventId)), new Set(newest.map(([e]) => e.eventId)))
    assert.equal((await cli(['verify', dir])).code, 0)
  })

  it('export: ndjson, --since/--until, csv', async () => {
    const events = makeEvents(50, 3)
    const dir = await ledger(events)
    const all = await cli(['export', dir])
    assert.equal(all.code, 0, all.stderr)
    assert.deepEqual(lines(all.stdout), lines(readFileSync(join(dir, 'events.ndjson'), 'utf8')))
    const ts = events.map((e) => e.timestamp).sort((a, b) => a - b)
    const [since, until] = [ts[10], ts[20]]
    const ranged = await cli(['export', dir, '--since', String(since), '--until', new Date(until).toISOString()])
    const expected = events.filter((e) => e.timestamp >= since && e.timestamp <= until)
    assert.deepEqual(lines(ranged.stdout).map((l) => JSON.parse(l).eventId), expected.map((e) => e.eventId))
    const csv = await cli(['export', dir, '--format', 'csv'])
    const rows = lines(csv.stdout)
    assert.equal(rows.length, 51)
    assert.match(rows[0], /^eventId,taskId,intent,timestamp,/)
    assert.ok(rows[1].startsWith(`${events[0].eventId},${events[0].taskId},${events[0].intent},${events[0].timestamp},`))
  })

  it('import: appends a file of events to a new or existing ledger; a bad line imports nothing', async () => {
    const events = makeEvents(30, 4)
    const src = await ledger(events)
    const file = join(root, 'export.ndjson')
    writeFileSync(file, (await cli(['export', src])).stdout)
    const target = join(root, 'imported')
    const r = await cli(['import', target, file])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^imported 30 events into /)
    assert.deepEqual(await createEventStore(target).readAll(), events)
    appendFileSync(file, 'not json\n')
    const bad = await cli(['import', target, file])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, new RegExp(`${file}:31: not JSON`))
    assert.equal((await createEventStore(target).readAll()).length, 30)
    assert.ok(!existsSync(join(root, 'never-made')))
    assert.equal((await cli(['import', join(root, 'never-made'), file])).code, 1)
    assert.ok(!existsSync(join(root, 'never-made', 'events.ndjson')))
  })
})
