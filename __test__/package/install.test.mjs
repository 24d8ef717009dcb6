// The packaged release, as a user gets it from the registry: `npm run package` builds this
// machine's binary (glibc 2.17 baseline) and packs the main and platform packages; they are
// installed into a fresh project with scripts off and no Rust on PATH, then used from require,
// import and TypeScript. Run by scripts/test.mjs once per Node version (not by the __test__/*.test.mjs
// glob: it builds, which should not compete with the timing-sensitive suites).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

/** PATH with this Node (and its npm) first and no directory that holds cargo or rustc. */
function pathWithoutRust(bin) {
  mkdirSync(bin)
  symlinkSync(process.execPath, join(bin, 'node'))
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')
  const npm = existsSync(npmCli) ? npmCli : execFileSync('which', ['npm'], { encoding: 'utf8' }).trim()
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\nexec node "${npm}" "$@"\n`, { mode: 0o755 })
  const hasRust = (dir) => ['cargo', 'rustc'].some((tool) => existsSync(join(dir, tool)))
  return [bin, ...process.env.PATH.split(delimiter).filter((dir) => dir && !hasRust(dir))].join(delimiter)
}

const SCENARIO_CJS = `
const assert = require('node:assert/strict')
const { createPersistentLedger, createAppendLog } = require('native-ledger')
const { EventStore } = require('native-ledger/persistence')
;(async () => {
  const ledger = createPersistentLedger({ storagePath: 'store', compactIntervalMs: 0 })
  await ledger.init()
  for (let i = 0; i < 50; i++) ledger.finalizeEvent(ledger.createEvent('task-' + (i % 5), 'feature', 'h'))
  await ledger.flush()
  await ledger.destroy()
  const again = createPersistentLedger({ storagePath: 'store' })
  await again.init()
  assert.equal(again.eventCount, 50)
  assert.equal((await new EventStore('store').getStats()).eventCount, 50)
  assert.equal((await again.evaluate(again.getEvents()[0])).length, 5)
  await again.destroy()
  const log = createAppendLog('log/history.jsonl')
  assert.deepEqual(await log.append([{ a: 1 }, { b: 2 }]), { lastSeq: 2 })
  assert.deepEqual((await log.read({ sinceSeq: 1 })).map((e) => e.data), [{ b: 2 }])
  await log.close()
  console.log('cjs ok ' + require.resolve('native-ledger-linux-x64-gnu'))
})().catch((err) => { console.error(err); process.exit(1) })
`
const SCENARIO_ESM = `
import assert from 'node:assert/strict'
import { createLedger, createMemoryAppendLog } from 'native-ledger'
import { RunLedger } from 'native-ledger/ledger'
const ledger = createLedger(10)
assert.ok(ledger instanceof RunLedger)
ledger.logEvent(ledger.createEvent('t', 'bug-fix', 'h'))
assert.equal(ledger.eventCount, 1)
const log = createMemoryAppendLog()
assert.deepEqual(await log.append([{ x: 1 }]), { lastSeq: 1 })
console.log('esm ok')
`
const TYPED = `
import { createPersistentLedger, type RunEvent, type StorageStats } from 'native-ledger'
import { PersistentLedger } from 'native-ledger/persistence'
const ledger: PersistentLedger = createPersistentLedger({ storagePath: 'store' })
const event: RunEvent = ledger.createEvent('task-1', 'feature', 'hash')
const stats: Promise<StorageStats> = ledger.getStorageStats()
const flushed: Promise<void> = ledger.flush()
// @ts-expect-error intent is a TaskIntent, not any string
ledger.createEvent('task-1', 'not-an-intent', 'hash')
void [event, stats, flushed]
`

test('the packed tarballs install without scripts or Rust, and work from require, import and TypeScript', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'package.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  assert.equal(r.status, 0, r.stdout)
  const main = r.stdout.match(/^main (.+)$/m)[1]
  const platform = r.stdout.match(/^platform (.+)$/m)[1]

  const project = mkdtempSync(join(tmpdir(), 'nl-install-'))
  try {
    // Binary: loads on glibc 2.17 and later.
    const unpacked = join(project, 'unpacked')
    mkdirSync(unpacked)
    execFileSync('tar', ['-xzf', platform, '-C', unpacked])
    const binary = join(unpacked, 'package', readdirSync(join(unpacked, 'package')).find((f) => f.endsWith('.node')))
    const versions = [...execFileSync('objdump', ['-T', binary], { encoding: 'utf8' }).matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [+m[1], +m[2]])
    assert.ok(versions.length > 0, 'objdump shows GLIBC symbol versions')
    const newest = versions.reduce((a, b) => (a[0] !== b[0] ? (a[0] > b[0] ? a : b) : a[1] >= b[1] ? a : b))
    assert.ok(newest[0] === 2 && newest[1] <= 17, `needs GLIBC_${newest.join('.')}, newer than 2.17`)

    const app = join(project, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    const env = { ...process.env, PATH: pathWithoutRust(join(project, 'bin')), npm_config_ignore_scripts: 'true' }
    delete env.npm_config_omit // npm test's own environment must not leak into the user's install
    assert.notEqual(spawnSync('cargo', ['--version'], { env }).status, 0, 'cargo is not reachable')
    const sh = (cmd, args) => {
      const res = spawnSync(cmd, args, { cwd: app, env, encoding: 'utf8' })
      assert.equal(res.status, 0, `${cmd} ${args.join(' ')}\n${res.stdout}\n${res.stderr}`)
      return res.stdout
    }
    sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', main, platform])
    const installed = join(app, 'node_modules', 'native-ledger')
    assert.ok(!readdirSync(installed).some((f) => f.endsWith('.node')), 'the main package holds no binary')
    assert.ok(!existsSync(join(installed, 'target')), 'nothing was built')

    writeFileSync(join(app, 'scenario.cjs'), SCENARIO_CJS)
    writeFileSync(join(app, 'scenario.mjs'), SCENARIO_ESM)
    assert.match(sh('node', ['scenario.cjs']), /^cjs ok .*node_modules\/native-ledger-linux-x64-gnu\//)
    assert.match(sh('node', ['scenario.mjs']), /^esm ok/)

    writeFileSync(join(app, 'typed.ts'), TYPED)
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', types: [] }, files: ['typed.ts'] }))
    sh('node', [tsc, '-p', '.'])
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
})

test('a platform without a binary: a clear error naming it and how to build from source', () => {
  const probe = `
    Object.defineProperty(process, 'arch', { value: 'riscv64' })
    try { require(${JSON.stringify(root)}) } catch (err) { console.log(JSON.stringify({ code: err.code, message: err.message })) }`
  const { code, message } = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }))
  assert.equal(code, 'ERR_NATIVE_LEDGER_NO_BINARY')
  assert.match(message, /linux-riscv64-(gnu|musl)/)
  assert.match(message, /prebuilt: linux-x64-gnu, .*win32-x64-msvc/)
  assert.match(message, /build it from source.*npm install/)
})
