// Compile-time check (tsc -p __test__/tsconfig.json): the subpaths' typings declare every export
// of the original module of the same name, with the main entry's types.
import * as persistence from 'native-ledger/persistence'
import * as ledger from 'native-ledger/ledger'
import * as main from 'native-ledger'
import type { PersistenceConfig, StorageStats } from 'native-ledger/persistence'
import type { IEvaluator } from 'native-ledger/ledger'
import type * as OrigLedger from '../.original/dist/ledger.js'
import type * as OrigPersistence from '../.original/dist/persistence.js'

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
function check<T extends true>(): T | void {}

check<Mutual<keyof typeof persistence, keyof typeof OrigPersistence>>()
check<Mutual<keyof typeof ledger, keyof typeof OrigLedger>>()
check<Mutual<typeof persistence.PersistentLedger, typeof main.PersistentLedger>>()
check<Mutual<typeof persistence.EventStore, typeof main.EventStore>>()
check<Mutual<typeof ledger.RunLedger, typeof main.RunLedger>>()
check<Mutual<typeof ledger.TestsPassEvaluator, typeof main.TestsPassEvaluator>>()
check<Mutual<PersistenceConfig, main.PersistenceConfig>>()
check<Mutual<StorageStats, main.StorageStats>>()
check<Mutual<IEvaluator, main.IEvaluator>>()
