import type { PairlineError } from '../errors/base.js'
import type { SessionMessage } from '../messages/envelope.js'

export type ChannelEvents = {
  message: [SessionMessage]
  /** a resume handshake completed: new keys and topics */
  resumed: []
  /** the peer's cumulative ack released our messages up to this seq */
  acked: [number]
  error: [PairlineError]
}
