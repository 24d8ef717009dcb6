// examples/sse-server.mjs: an SSE stream of an AppendLog, resumed with Last-Event-ID.
import { it, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppendLog } from '../index.mjs'
import { waitFor, runNode } from './fixtures/append-log-helpers.mjs'

const server = fileURLToPath(new URL('../examples/sse-server.mjs', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'append-log-sse-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** Opens GET /events; `events` fills with { id, data } as they arrive. */
function connect(base, lastEventId) {
  const events = []
  const headers = lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }
  const req = http.get(`${base}/events`, { headers })
  const status = new Promise((resolve, reject) => {
    req.on('error', reject)
    req.on('response', (res) => {
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        buffer += chunk
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = Object.fromEntries(
            block.split('\n').filter((l) => /^(id|data): /.test(l)).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(': ') + 2)]),
          )
          if (fields.id) events.push({ id: Number(fields.id), data: JSON.parse(fields.data).data })
        }
      })
      resolve(res)
    })
  })
  return { events, status, close: () => req.destroy() }
}

async function post(base, entries) {
  const res = await fetch(`${base}/append`, { method: 'POST', body: JSON.stringify(entries) })
  assert.equal(res.status, 200)
  return res.json()
}

it('streams a log as SSE and resumes from Last-Event-ID with no gap and no duplicate', async () => {
  const file = join(root, '.meta', 'history.jsonl')
  const run = runNode(server, [file, '0'])
  try {
    await waitFor(() => run.lines.length > 0 || run.stderr(), { what: 'the server to listen', timeout: 30_000 })
    const base = run.lines[0]?.match(/http:\/\/[^/]+/)?.[0]
    assert.ok(base, `server said: ${run.lines[0] ?? run.stderr()}`)

    // This process appends to the file the server streams.
    const log = createAppendLog(file)
    await log.append(['e1', 'e2', 'e3'])

    const first = connect(base)
    assert.equal((await first.status).headers['content-type'], 'text/event-stream')
    await waitFor(() => first.events.length === 3, { what: 'the replay of three events' })
    await log.append(['e4', 'e5'])
    await waitFor(() => first.events.length === 5, { what: 'two live events' })
    first.close()
    const lastId = first.events.at(-1).id

    // Appended while no client is connected.
    await log.append(['e6', 'e7', 'e8'])
    assert.deepEqual(await post(base, ['e9', 'e10']), { lastSeq: 10 })

    const second = connect(base, lastId)
    await waitFor(() => second.events.at(-1)?.id === 10, { what: 'the replay up to 10' })
    // And live again: through the server and from this process.
    assert.deepEqual(await post(base, ['e11']), { lastSeq: 11 })
    await log.append(['e12'])
    await waitFor(() => second.events.at(-1)?.id === 12, { what: 'live events 11 and 12' })
    second.close()

    const seen = [...first.events, ...second.events]
    assert.deepEqual(seen.map((e) => e.id), Array.from({ length: 12 }, (_, i) => i + 1))
    assert.deepEqual(seen.map((e) => e.data), Array.from({ length: 12 }, (_, i) => `e${i + 1}`))

    const bad = await fetch(`${base}/events`, { headers: { 'last-event-id': 'x' } })
    assert.equal(bad.status, 400)
    await log.close()
  } finally {
    run.child.kill()
    await run.exited
  }
})
