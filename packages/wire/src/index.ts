export * from './codec.js'
export * from './errors.js'
