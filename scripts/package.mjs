// `npm run package [-- --target TRIPLE]`: builds one target's binary as a release does and packs
// the main package and that target's platform package (npm/<platform>/) into .tmp/package/.
//
// Linux targets go through cargo-zigbuild with glibc 2.17 as the baseline (zig links against
// that version's symbols, so the binary loads on any glibc from 2.17, e.g. CentOS 7 / RHEL 7, and
// on everything newer), musl targets statically. zig and cargo-zigbuild come from PyPI into an
// ignored venv (.tmp/venv), so nothing is installed system-wide. macOS and Windows targets are
// built by `napi build` on their own runners (.github/workflows/release.yml).
//
// Prints the two tarball paths as the last lines: `main <path>` and `platform <path>`.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join, delimiter } from 'node:path'
import { pythonVenv } from './venv.mjs'

const root = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const out = join(root, '.tmp', 'package')

function run(cmd, args, opts = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error})`)
  return r
}

/** This machine's napi target triple, among package.json's napi.targets. */
function hostTarget() {
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch]
  const os = { linux: 'unknown-linux', darwin: 'apple-darwin', win32: 'pc-windows-msvc' }[process.platform]
  let triple = `${arch}-${os}`
  if (process.platform === 'linux') triple += process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl'
  if (!pkg.napi.targets.includes(triple)) {
    throw new Error(`this machine (${process.platform} ${process.arch}) is not one of napi.targets: ${pkg.napi.targets.join(', ')}`)
  }
  return triple
}

const args = process.argv.slice(2)
const at = args.indexOf('--target')
const target = at >= 0 ? args[at + 1] : hostTarget()
if (!pkg.napi.targets.includes(target)) {
  throw new Error(`--target ${target} is not one of napi.targets: ${pkg.napi.targets.join(', ')}`)
}

const build = ['napi', 'build', '--platform', '--release', '--features', 'node', '--no-js', '--output-dir', join(out, 'build')]
let env = process.env
if (target.includes('-linux-')) {
  const venv = pythonVenv(['ziglang', 'cargo-zigbuild'])
  // cargo-zigbuild finds zig through the venv's python (`python -m ziglang`).
  env = { ...process.env, PATH: `${venv.bin}${delimiter}${process.env.PATH}` }
  build.push('--cross-compile', '--target', target.endsWith('-gnu') ? `${target}.2.17` : target)
} else {
  build.push('--target', target)
}
rmSync(join(out, 'build'), { recursive: true, force: true })
mkdirSync(out, { recursive: true })
run('npx', build, { env })

// The binary goes to its platform package's folder, as `napi artifacts` lays it out in CI.
const binary = readdirSync(join(out, 'build')).find((f) => f.endsWith('.node'))
if (!binary) throw new Error(`napi build left no .node file in ${join(out, 'build')}`)
const platform = binary.slice(`${pkg.napi.binaryName}.`.length, -'.node'.length)
const platformDir = join(root, 'npm', platform)
if (!existsSync(join(platformDir, 'package.json'))) throw new Error(`${platformDir}/package.json is missing (npx napi create-npm-dirs)`)
copyFileSync(join(out, 'build', binary), join(platformDir, binary))

// --ignore-scripts: `prepare` (a from-source build for git installs) has nothing to do here.
for (const f of readdirSync(out)) if (f.endsWith('.tgz')) rmSync(join(out, f))
const pack = (dir) => {
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  return join(out, JSON.parse(r.stdout)[0].filename)
}
const main = pack(root)
const platformTarball = pack(platformDir)
rmSync(join(platformDir, binary)) // the checkout keeps no binary in npm/
console.log(`main ${main}\nplatform ${platformTarball}`)
