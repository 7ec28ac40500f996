export { ErrorCode, isPairlineError, PairlineError, type PairlineErrorOptions } from './errors/index.js'
