// `import ... from 'native-ledger/guidance'`: see lib/guidance.js.
import lib from './lib/guidance.js'

const { guidanceClasses, peerMissing, PEER } = lib

async function load(subpath) {
  try {
    return await import(`${PEER}/${subpath}`)
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(`'${PEER}'`)) throw peerMissing(err)
    throw err
  }
}

const classes = guidanceClasses(await load('ledger'), await load('persistence'))

export const {
  EventStore,
  PersistentLedger,
  RunLedger,
  createEventStore,
  createPersistentLedger,
  createLedger,
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
} = classes
export default classes
