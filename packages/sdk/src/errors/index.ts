export { isPairlineError, PairlineError, type PairlineErrorOptions } from './base.js'
export { ErrorCode } from './codes.js'
