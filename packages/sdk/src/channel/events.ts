import type { PairlineError } from '../errors/base.js'
import type { SessionMessage } from '../messages/envelope.js'

export type ChannelEvents = {
  message: [SessionMessage]
  /** a resume handshake completed: new keys and topics */
  resumed: []
  /** the peer's cumulative ack released our messages up to this seq */
  acked: [number]
  /** someone resumed with a copy of this session's secrets (§8.4): the owner ends the session */
  takenOver: [PairlineError]
  error: [PairlineError]
}
