import { encodeError, RelayCloseCode, RelayErrorCode } from '@pairline/wire'
import type { WebSocket } from 'ws'
import type { BrokerEvents } from './broker/types.js'
import type { RelayLogger } from './log.js'
import type { Metrics } from './metrics.js'

const UNAVAILABLE = encodeError(0, RelayErrorCode.StorageUnavailable, 'storage unavailable, try again later')
const LOST = encodeError(
  0,
  RelayErrorCode.MailboxLost,
  'the relay lost stored messages: send again what was not acknowledged',
)

/**
 * Tells a client that storage is unusable; the relay then closes it (1013: try again later). The
 * client sends its unanswered requests again after a reconnect, to this node or another: a refusal
 * it can see, never a message silently dropped (docs/PROTOCOL.md §13.8).
 */
export function sendUnavailable(ws: WebSocket): void {
  if (ws.readyState === ws.OPEN) ws.send(UNAVAILABLE)
}

/** What the relay does when its broker's storage fails, comes back, or loses data. */
export function storageEvents(
  sockets: () => Iterable<WebSocket>,
  metrics: Metrics,
  logger: RelayLogger,
): BrokerEvents {
  return {
    degraded() {
      metrics.storageDegraded = 1
      logger('warn', 'storage unavailable: closing clients until it is back')
      for (const ws of sockets()) {
        sendUnavailable(ws)
        ws.close(RelayCloseCode.TryAgainLater, 'storage unavailable')
      }
    },
    restored() {
      metrics.storageDegraded = 0
      logger('info', 'storage available again')
    },
    lost() {
      metrics.mailboxLost++
      logger('warn', 'storage lost stored messages (new epoch): telling clients to send again')
      for (const ws of sockets()) if (ws.readyState === ws.OPEN) ws.send(LOST)
    },
  }
}
