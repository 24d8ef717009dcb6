// Shared plumbing of the child scripts: argv is <store module entry> <storage path> [...],
// commands arrive as JSON lines on stdin, answers leave as JSON lines on stdout.
import { createInterface } from 'node:readline'
import { importStoreModule } from '../helpers/store-impl.mjs'

export const [entry, storagePath, ...rest] = process.argv.slice(2)
export const { EventStore } = await importStoreModule(entry)

export const say = (msg) => process.stdout.write(JSON.stringify(msg) + '\n')

export function fail(err) {
  say({ error: String(err?.stack ?? err) })
  process.exit(1)
}
process.on('unhandledRejection', fail)

/** Calls `handler(cmd)` for each stdin command, one at a time, in order. */
export function onCommands(handler) {
  let chain = Promise.resolve()
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const cmd = JSON.parse(line)
    chain = chain.then(() => handler(cmd)).catch(fail)
  })
  // The parent closing stdin means "finish and go": exit explicitly, so that nothing the store
  // may keep running (a lock refresher, say) can make the child outlive its test.
  rl.on('close', () => chain.then(() => process.exit(0)))
}

export const isLockedError = (err) =>
  err instanceof Error && err.message.startsWith('Storage is locked by another process')
