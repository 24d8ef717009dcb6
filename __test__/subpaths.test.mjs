// native-ledger/persistence and native-ledger/ledger: the original's module names, so moving over
// is a change of package name in the import. Their typings: subpaths-types.ts (npm test's tsc).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import * as main from 'native-ledger'
import * as persistence from 'native-ledger/persistence'
import * as ledger from 'native-ledger/ledger'
import { loadOriginal } from './helpers/original.mjs'

const require = createRequire(import.meta.url)
const valueNames = (namespace) => Object.keys(namespace).filter((k) => k !== 'default').sort()

test('each subpath exports what the original module of that name exports, as the main entry’s values', async () => {
  const original = await loadOriginal()
  for (const [name, esm] of [['persistence', persistence], ['ledger', ledger]]) {
    const cjs = require(`native-ledger/${name}`)
    assert.deepEqual(valueNames(esm), valueNames(original[name]), name)
    assert.deepEqual(Object.keys(cjs).sort(), valueNames(original[name]), name)
    for (const key of valueNames(esm)) {
      assert.equal(esm[key], main[key], `${name}.${key}`)
      assert.equal(cjs[key], main[key], `${name}.${key}`)
    }
  }
})
