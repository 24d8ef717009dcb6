// A CommonJS project on module node16 (no require() of ES modules in its type system): it
// reaches guidance's ES-module typings with resolution-mode "import", and still gets subclasses.
import { RunLedger, PersistentLedger, EventStore } from 'native-ledger/guidance'
import type { RunLedger as GRunLedger } from '@claude-flow/guidance/ledger' with { 'resolution-mode': 'import' }
import type { PersistentLedger as GPersistentLedger, EventStore as GEventStore } from '@claude-flow/guidance/persistence' with { 'resolution-mode': 'import' }

const run: GRunLedger = new RunLedger()
const persistent: GPersistentLedger = new PersistentLedger()
const store: GEventStore = new EventStore('.x')
const fromLedger: GEventStore = persistent.getEventStore()
const flushed: Promise<void> = new PersistentLedger().flush()
void [run, store, fromLedger, flushed]
