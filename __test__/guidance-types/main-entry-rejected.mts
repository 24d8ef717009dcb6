// The control for check.mts: the main entry's classes have the same shape as guidance's but their
// own declarations, so TypeScript rejects them where guidance's class types are expected. This
// file must fail to compile (guidance.test.mjs checks the error).
import type { PersistentLedger as GPersistentLedger } from '@claude-flow/guidance/persistence'
import type { RunLedger as GRunLedger } from '@claude-flow/guidance/ledger'
import { PersistentLedger, RunLedger } from 'native-ledger'

const persistent: GPersistentLedger = new PersistentLedger()
const run: GRunLedger = new RunLedger()
void [persistent, run]
