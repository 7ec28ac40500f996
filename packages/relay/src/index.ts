export { MemoryBroker } from './broker/memory.js'
export {
  type Broker,
  type BrokerStats,
  Message,
  type PublishResult,
  type StoredMessage,
  type Subscriber,
} from './broker/types.js'
export { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits, resolveLimits } from './limits.js'
export { consoleLogger, type RelayLogger, silentLogger } from './log.js'
export { createRelay, type Relay, type RelayOptions } from './relay.js'
