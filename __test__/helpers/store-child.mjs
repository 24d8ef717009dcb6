// Child processes for the multi-process EventStore tests. A child speaks one JSON object per
// line on stdout and takes one JSON object per line on stdin; every wait has a deadline so a
// stuck child fails the test instead of hanging it.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const childrenDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'children')

export class Child {
  constructor(t, script, args = []) {
    this.name = `${script} ${args.slice(1).join(' ')}`.trim()
    this.proc = spawn(process.execPath, [join(childrenDir, script), ...args.map(String)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.pid = this.proc.pid
    this.stderr = ''
    this.queue = []
    this.waiter = null
    this.exitCode = undefined
    this.proc.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d))
    this.proc.stdin.on('error', () => {}) // a child that died is reported by next(), not by EPIPE
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg
      try {
        msg = JSON.parse(line)
      } catch {
        msg = { unparsable: line }
      }
      this.queue.push(msg)
      this.wake()
    })
    this.exited = once(this.proc, 'exit').then(([code, signal]) => {
      this.exitCode = code ?? signal
      this.wake()
      return this.exitCode
    })
    t.after(() => {
      if (this.exitCode === undefined) this.proc.kill('SIGKILL')
    })
  }

  wake() {
    const w = this.waiter
    this.waiter = null
    if (w) w()
  }

  send(msg) {
    this.proc.stdin.write(JSON.stringify(msg) + '\n')
  }

  /** The next message from the child; rejects on timeout or if the child exits first. */
  async next(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.queue.length > 0) {
        const msg = this.queue.shift()
        if (msg.error) throw new Error(`${this.name} failed: ${msg.error}\n${this.stderr}`)
        return msg
      }
      if (this.exitCode !== undefined) {
        throw new Error(`${this.name} exited (${this.exitCode}) before answering\n${this.stderr}`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`${this.name}: no answer within ${timeoutMs} ms\n${this.stderr}`)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Waits for a message with `key` set, failing on anything else. */
  async expect(key, timeoutMs) {
    const msg = await this.next(timeoutMs)
    if (!(key in msg)) throw new Error(`${this.name}: expected "${key}", got ${JSON.stringify(msg)}`)
    return msg
  }

  async close(timeoutMs = 30_000) {
    this.proc.stdin.end()
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

/** The pid of a process that has already exited (for "dead holder" locks). */
export async function deadPid() {
  const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  const pid = proc.pid
  await once(proc, 'exit')
  return pid
}
