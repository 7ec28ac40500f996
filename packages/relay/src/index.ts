export { MemoryBroker } from './broker/memory.js'
export { createRedisBroker, type RedisBrokerOptions } from './broker/redis/index.js'
export {
  type Broker,
  type BrokerEvents,
  type BrokerHealth,
  type BrokerStats,
  Message,
  type PublishResult,
  type StoredMessage,
  type Subscriber,
} from './broker/types.js'
export { isRelayError, RelayError, type RelayErrorOptions, RelayFailure } from './errors.js'
export { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits, resolveLimits } from './limits.js'
export { consoleLogger, type RelayLogger, silentLogger } from './log.js'
export { createRelay, type Relay, type RelayOptions } from './relay.js'
