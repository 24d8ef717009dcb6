'use strict'
// `serve PATH`: the dashboard. Read-only by construction: only GET and HEAD are answered, and
// nothing here holds a handle that writes (the events file is only read, see model.js).
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { UsageError, resolveTarget, requireLedger } = require('./source.js')
const { parseCount } = require('./commands.js')
const { LedgerModel } = require('./model.js')

// Rows a new page gets at once; older ones are in the charts and the task view.
const BACKFILL = 200

const page = path.join(__dirname, 'dashboard')
// uPlot is served from the installed package, wherever npm put it: never from a CDN.
const uplotDist = path.join(path.dirname(require.resolve('uplot')), '..', 'dist')
const assets = {
  '/': [path.join(page, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [path.join(page, 'app.js'), 'text/javascript; charset=utf-8'],
  '/app.css': [path.join(page, 'app.css'), 'text/css; charset=utf-8'],
  '/vendor/uPlot.min.js': [path.join(uplotDist, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  '/vendor/uPlot.min.css': [path.join(uplotDist, 'uPlot.min.css'), 'text/css; charset=utf-8'],
}

async function serve(p, opts) {
  const target = resolveTarget(p)
  requireLedger(target, 'serve')
  const port = opts.port === undefined ? 8377 : parseCount(opts.port, '--port')
  if (port > 65535) throw new UsageError(`--port wants 0..65535, got ${port}`)
  const host = opts.host ?? '127.0.0.1'
  const model = new LedgerModel(target.file)
  await model.open()
  const server = createServer(model)
  await new Promise((resolve, reject) => {
    server.once('error', (err) => reject(err.code === 'EADDRINUSE' ? new Error(`${host}:${port} is in use (try --port)`) : err))
    server.listen(port, host, resolve)
  })
  const addr = server.address()
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  console.log(`dashboard of ${target.dir} (${model.records.length} runs) on http://${shown}:${addr.port}/`)
  await new Promise((resolve) => {
    const stop = () => {
      model.close()
      server.close(resolve)
      server.closeAllConnections()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  return 0
}

function createServer(model) {
  return http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only\n')
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      if (Object.hasOwn(assets, url.pathname)) return sendFile(res, ...assets[url.pathname])
      if (url.pathname === '/api/summary') return sendJson(res, model.summary())
      if (url.pathname === '/api/series') return sendJson(res, model.series())
      if (url.pathname === '/api/task') {
        const id = url.searchParams.get('id')
        if (id === null) return sendText(res, 400, 'missing ?id=\n')
        return sendJson(res, model.task(id))
      }
      if (url.pathname === '/api/stream') return stream(model, req, res, url)
      sendText(res, 404, 'not found\n')
    } catch (err) {
      sendText(res, 500, `${err.message}\n`)
    }
  })
}

function sendFile(res, file, type) {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' })
  fs.createReadStream(file).pipe(res)
}

function sendJson(res, value) {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value))
}

function sendText(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text)
}

/**
 * Server-Sent Events: each run as `id: <gen>-<offset>` / `data: <row>`. A reconnecting
 * EventSource sends the last id it saw (Last-Event-ID; `?lastEventId=` for other clients) and
 * gets exactly the runs after it. Sending what is there and subscribing happen in one turn of
 * the event loop, and the model adds runs in one turn too, so nothing falls between.
 */
function stream(model, req, res, url) {
  const last = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId')
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  res.write('retry: 1000\n\n')
  const send = (recs) => {
    if (recs.length) res.write(recs.map((r) => `id: ${model.streamId(r)}\ndata: ${JSON.stringify(r.row)}\n\n`).join(''))
  }
  let backlog = last ? model.after(last) : null
  if (backlog === null) {
    // A new page, or an id from before the file was rewritten: start from the newest runs.
    if (last) res.write('event: reset\ndata: {}\n\n')
    backlog = model.records.slice(-BACKFILL)
  }
  send(backlog)
  const onChange = (change) => {
    if (change.type === 'rows') return send(change.records)
    // The file was rewritten: end the stream; the client comes back with an id of the old
    // file and is told to reset.
    res.end()
  }
  model.listeners.add(onChange)
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
  res.on('close', () => {
    clearInterval(heartbeat)
    model.listeners.delete(onChange)
  })
}

module.exports = { serve, createServer }
