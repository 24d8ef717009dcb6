// The `native-ledger` command as a child process, its dashboard server, and Debian's chromium
// driven by playwright-core: for the CLI and dashboard tests and scripts/screenshot.mjs.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const bin = join(repoRoot, 'bin', 'native-ledger.js')

/** Runs `native-ledger ...args` to its end → { code, stdout, stderr }. */
export function cli(args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** Starts `native-ledger ...args` and leaves it running: { child, output(), stop() }. */
export function cliRunning(args) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s))
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s))
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)))
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM')
      return exited
    },
  }
}

/** `native-ledger serve DIR` on 127.0.0.1 → { url, port, stop() } once it listens. */
export async function startServe(dir, port = 0) {
  const running = cliRunning(['serve', dir, '--port', String(port), '--host', '127.0.0.1'])
  const started = Date.now()
  for (;;) {
    const m = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(running.output().stdout)
    if (m) return { ...running, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}/` }
    if (running.child.exitCode !== null || Date.now() - started > 20_000) {
      await running.stop()
      throw new Error(`serve did not start: ${running.output().stderr}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Headless Debian chromium with a fresh profile → { browser, close() }. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core')
  const profile = mkdtempSync(join(tmpdir(), 'native-ledger-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
