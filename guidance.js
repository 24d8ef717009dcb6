'use strict'
// `require('native-ledger/guidance')`: native-ledger's classes as subclasses of
// @claude-flow/guidance's (lib/guidance.js). guidance is ES modules only and exports no `require`
// condition, so its package folder is found here and its modules are loaded by file
// (require() of ES modules: Node 20.19+, 22.12+).
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const { guidanceClasses, peerMissing, PEER } = require('./lib/guidance.js')

function peerFolder() {
  for (const dir of require.resolve.paths(PEER) ?? []) {
    const folder = join(dir, PEER)
    if (existsSync(join(folder, 'package.json'))) return folder
  }
  throw peerMissing()
}

function load(folder, subpath) {
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
  const target = pkg.exports?.[subpath]
  const file = typeof target === 'string' ? target : (target?.import ?? target?.default)
  if (typeof file !== 'string') {
    throw new Error(`${PEER}@${pkg.version} in ${folder} has no '${subpath}' export; native-ledger/guidance needs ^3.0.0-alpha.3`)
  }
  try {
    return require(join(folder, file))
  } catch (err) {
    if (err.code === 'ERR_REQUIRE_ESM') {
      throw new Error(
        `require('native-ledger/guidance') loads ${PEER}, which is ES modules only; this Node (${process.version}) ` +
          `cannot require() ES modules: use import, or Node 20.19+ / 22.12+`,
        { cause: err },
      )
    }
    throw err
  }
}

const folder = peerFolder()
module.exports = guidanceClasses(load(folder, './ledger'), load(folder, './persistence'))
