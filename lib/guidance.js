'use strict'
// native-ledger's classes as subclasses of @claude-flow/guidance's own (the `native-ledger/guidance`
// entry). guidance's APIs are typed with its classes, which have private members, so TypeScript
// accepts only their subclasses; at run time every public method is native-ledger's.
//
// Two ways, by where native-ledger keeps the state:
// - RunLedger and the evaluators keep theirs in plain own properties with the same names as
//   guidance's, so the subclass takes native-ledger's methods (prototype reuse) and, after
//   guidance's constructor, native-ledger's freshly constructed state. One object, no forwarding.
// - EventStore and PersistentLedger keep theirs in native handles and #private fields, which a
//   method can only reach on its own instances, so the subclass forwards every public method to
//   an internal native-ledger instance.
// guidance's constructors only set fields (none touches a file or starts a timer), so calling
// them costs nothing; what they set is replaced or, for the forwarding classes, left unused.
const { RunLedger } = require('./run-ledger.js')
const { PersistentLedger } = require('./persistent-ledger.js')
const { EventStore } = require('./event-store.js')
const evaluators = require('./evaluators.js')
const { requireString } = require('./args.js')

const PEER = '@claude-flow/guidance'

/** The error for a missing peer package: says what to install, and that the main entry needs nothing. */
function peerMissing(cause) {
  const err = new Error(
    `native-ledger/guidance needs the package ${PEER}, which is not installed here: ` +
      `run \`npm install ${PEER}\` (or import from 'native-ledger', which does not need it)`,
    { cause },
  )
  err.code = 'ERR_NATIVE_LEDGER_PEER_MISSING'
  return err
}

function copyMethods(target, source) {
  for (const key of Reflect.ownKeys(source.prototype)) {
    if (key !== 'constructor') {
      Object.defineProperty(target.prototype, key, Object.getOwnPropertyDescriptor(source.prototype, key))
    }
  }
}

function named(cls, name) {
  Object.defineProperty(cls, 'name', { value: name })
  return cls
}

/** A subclass of `Base` whose instances are native-ledger `Own` objects in all but their prototype chain. */
function reuse(Base, Own) {
  const cls = class extends Base {
    constructor(...args) {
      // Ours first: it checks the arguments (guidance's would coerce them) and builds the state.
      const state = new Own(...args)
      super(...args)
      Object.assign(this, state)
    }
  }
  copyMethods(cls, Own)
  return named(cls, Own.name)
}

/** Defines on `cls` a forwarder to `impl(this)` for every public method and getter of `Own` and its ancestors. */
function forward(cls, Own, impl) {
  for (let proto = Own.prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || key.startsWith('_') || Object.hasOwn(cls.prototype, key)) continue
      const desc = Object.getOwnPropertyDescriptor(proto, key)
      if (desc.get) {
        Object.defineProperty(cls.prototype, key, { get() { return impl(this)[key] }, configurable: true })
      } else if (typeof desc.value === 'function') {
        Object.defineProperty(cls.prototype, key, {
          value: { [key](...args) { return impl(this)[key](...args) } }[key],
          writable: true,
          configurable: true,
        })
      }
    }
  }
}

function build(ledgerModule, persistenceModule) {
  const impls = new WeakMap()
  const impl = (self) => {
    const own = impls.get(self)
    if (own === undefined) throw new TypeError('Illegal invocation: not a native-ledger/guidance instance')
    return own
  }

  // Set while wrapping the store a PersistentLedger already has (see getEventStore).
  let adopted = null
  class GuidanceEventStore extends persistenceModule.EventStore {
    constructor(storagePath) {
      requireString(storagePath, 'storagePath') // guidance's constructor would fail in path.join
      super(storagePath)
      impls.set(this, adopted ?? new EventStore(storagePath))
    }
  }
  forward(GuidanceEventStore, EventStore, impl)

  const stores = new WeakMap()
  class GuidancePersistentLedger extends persistenceModule.PersistentLedger {
    constructor(config) {
      const own = new PersistentLedger(config) // first: it checks config, guidance's would coerce it
      super(config)
      impls.set(this, own)
      // guidance's fields that a JS caller can read (TypeScript calls them private) show ours.
      for (const key of ['events', 'evaluators', 'maxEvents']) {
        Object.defineProperty(this, key, {
          get: () => own[key],
          set: (value) => { own[key] = value },
          enumerable: true,
          configurable: true,
        })
      }
    }

    // guidance's type says its EventStore: the ledger's own store, wrapped once.
    getEventStore() {
      let store = stores.get(this)
      if (store === undefined) {
        adopted = impl(this).getEventStore()
        try {
          store = new GuidanceEventStore(this.config.storagePath) // guidance's field: the same path as ours
        } finally {
          adopted = null
        }
        stores.set(this, store)
      }
      return store
    }
  }
  forward(GuidancePersistentLedger, PersistentLedger, impl)

  const classes = {
    EventStore: named(GuidanceEventStore, 'EventStore'),
    PersistentLedger: named(GuidancePersistentLedger, 'PersistentLedger'),
    RunLedger: reuse(ledgerModule.RunLedger, RunLedger),
  }
  for (const [name, Own] of Object.entries(evaluators)) classes[name] = reuse(ledgerModule[name], Own)
  return {
    ...classes,
    createEventStore: (path) => new classes.EventStore(path),
    createPersistentLedger: (config) => new classes.PersistentLedger(config),
    createLedger: (maxEvents = 0) => new classes.RunLedger(maxEvents),
  }
}

// One set of classes per guidance module instance: `require` and `import` of the entry load the
// same guidance modules, and so get the same classes (instanceof holds across both).
const built = new WeakMap()

/** @param ledgerModule `@claude-flow/guidance/ledger` @param persistenceModule `@claude-flow/guidance/persistence` */
function guidanceClasses(ledgerModule, persistenceModule) {
  let classes = built.get(ledgerModule.RunLedger)
  if (classes === undefined) {
    classes = build(ledgerModule, persistenceModule)
    built.set(ledgerModule.RunLedger, classes)
  }
  return classes
}

module.exports = { guidanceClasses, peerMissing, PEER }
