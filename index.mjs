// `import` of the main entry: Node finds index.js's names (its literal exports and re-exports).
export * from './index.js'
export { default } from './index.js'
