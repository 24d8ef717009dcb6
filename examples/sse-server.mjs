// Streams an AppendLog as Server-Sent Events that a client resumes with Last-Event-ID.
//
//   node examples/sse-server.mjs [file] [port]     (defaults: .meta/history.jsonl, 8080)
//
//   GET  /events   text/event-stream: every entry as `id: <seq>` and `data: <entry as JSON>`,
//                  from after the Last-Event-ID request header (or ?since=<seq>; else from the
//                  start), then live, including entries other processes append to the file.
//   POST /append   a JSON array of entries to append; answers {"lastSeq":N}.
//
// Try it:  curl -N localhost:8080/events
//          curl -d '[{"hello":"world"}]' localhost:8080/append
import http from 'node:http'
import { pathToFileURL } from 'node:url'
import { createAppendLog } from 'native-ledger'

/** An HTTP server streaming `log`; closing the server does not close the log. */
export function createSseServer(log) {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method === 'GET' && url.pathname === '/events') return streamEvents(log, req, res, url)
    if (req.method === 'POST' && url.pathname === '/append') return appendEntries(log, req, res)
    res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /events or POST /append\n')
  })
}

function streamEvents(log, req, res, url) {
  // An EventSource sends the id of the last event it received when it reconnects.
  const resume = req.headers['last-event-id'] ?? url.searchParams.get('since') ?? '0'
  let lastSent = Number(resume)
  if (!Number.isSafeInteger(lastSent) || lastSent < 0) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`bad Last-Event-ID: ${resume}\n`)
    return
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  res.write('retry: 1000\n\n')

  // The subscriber is a cursor on the log: when the client reads slower than entries come,
  // stop, let the socket drain, and subscribe again from the last entry sent. Nothing is
  // buffered without bound, and nothing is skipped or sent twice.
  let unsubscribe = null
  const attach = () => {
    unsubscribe = log.subscribe({ sinceSeq: lastSent }, (entry) => {
      lastSent = entry.seq
      // JSON.stringify never writes a raw newline, so one `data:` line holds the entry.
      const more = res.write(`id: ${entry.seq}\ndata: ${JSON.stringify(entry)}\n\n`)
      if (!more && unsubscribe) {
        unsubscribe()
        unsubscribe = null
        res.once('drain', attach)
      }
    })
  }
  attach()
  // Comments keep proxies from closing an idle stream.
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
  res.on('close', () => {
    clearInterval(heartbeat)
    unsubscribe?.()
    unsubscribe = null
    res.removeAllListeners('drain')
  })
}

function appendEntries(log, req, res) {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk) => (body += chunk))
  req.on('end', async () => {
    try {
      const result = await log.append(JSON.parse(body))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result))
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${err.message}\n`)
    }
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? '.meta/history.jsonl'
  const port = Number(process.argv[3] ?? process.env.PORT ?? 8080)
  const log = createAppendLog(file)
  const server = createSseServer(log)
  server.listen(port, '127.0.0.1', () => {
    console.log(`streaming ${log.file} on http://127.0.0.1:${server.address().port}/events`)
  })
  const stop = () => {
    server.close(() => log.close())
    server.closeAllConnections()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
