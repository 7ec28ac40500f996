/**
 * The SDK's anvil helper (a real local chain as a child process), reused by relative path: it is a
 * test and demo helper in this repository, not part of the published API.
 */
export { ANVIL_KEYS, type Anvil, startAnvil } from '../../../packages/sdk/src/testing/anvil.js'
