export * from './ledger.js'
export { default } from './ledger.js'
