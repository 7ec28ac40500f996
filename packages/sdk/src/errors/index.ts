export { PairlineError, isPairlineError, type PairlineErrorOptions } from './base.js'
export { ErrorCode } from './codes.js'
