'use strict'
// The raw N-API binding. binding.cjs is napi's generated loader: it takes the binary built in a
// checkout by `npm install`, else this platform's prebuilt package (an optionalDependency of
// native-ledger). Where it finds neither it throws a chain of require() failures; what a user
// needs instead is which platform this is and how to get a binary. Only lib/ uses this module.
const { join } = require('node:path')

const root = join(__dirname, '..')

function platformName() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`
  const glibc = process.report?.getReport().header.glibcVersionRuntime
  return `linux-${process.arch}-${glibc ? 'gnu' : 'musl'}`
}

function noBinary(cause) {
  const pkg = require('../package.json')
  const prebuilt = Object.keys(pkg.optionalDependencies ?? {}).map((name) => name.slice(`${pkg.name}-`.length))
  const here = platformName()
  const why = prebuilt.some((p) => here.startsWith(p) || p.startsWith(here))
    ? `its prebuilt package ${pkg.name}-${here} is not installed (an install with --omit=optional or --no-optional skips it: reinstall without that)`
    : `no prebuilt binary exists for it (prebuilt: ${prebuilt.join(', ')})`
  const err = new Error(
    `native-ledger has no native binary for this platform, ${here} (Node ${process.version}): ${why}. ` +
      `To build it from source, with Rust (https://rustup.rs) installed: in a git checkout of native-ledger, ` +
      `\`npm install\` builds it (then \`npm pack\` gives a package to install here).`,
    { cause },
  )
  err.code = 'ERR_NATIVE_LEDGER_NO_BINARY'
  return err
}

let binding
try {
  binding = require('../binding.cjs')
} catch (err) {
  if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(join(root, 'binding.cjs'))) {
    throw new Error(`native-ledger is not built in ${root}: run \`npm install\` (or \`npm run build\`) there`, { cause: err })
  }
  if (String(err?.message).startsWith('Cannot find native binding')) throw noBinary(err)
  throw err
}
module.exports = binding
