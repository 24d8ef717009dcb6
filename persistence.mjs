export * from './persistence.js'
export { default } from './persistence.js'
