import type { Broker } from './broker/types.js'
import type { RelayLimits } from './limits.js'
import type { RelayLogger } from './log.js'
import type { Metrics } from './metrics.js'
import type { SubscriptionCounts } from './subscriptions.js'

/** What every connection of one relay shares. */
export type ConnectionContext = {
  broker: Broker
  limits: RelayLimits
  metrics: Metrics
  subscriptions: SubscriptionCounts
  logger: RelayLogger
  now: () => number
}
