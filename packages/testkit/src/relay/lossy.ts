import { DEFAULT_LIMITS, MemoryBroker } from '@pairline/relay'

type PublishResult = ReturnType<MemoryBroker['publish']>
type Stored = Parameters<MemoryBroker['publish']>[0]

/** Offset of the payload in a stored MESSAGE frame: op (1) ‖ topic (32) ‖ message id (16). */
const PAYLOAD_OFFSET = 1 + 32 + 16

/**
 * A hostile broker for tests: the in-memory broker, except that it answers OK to publishes it then
 * loses. `drop(payload)` decides per message; `lossy.dropNth(type, n)` loses the n-th message whose
 * envelope type (second byte) is `type`, once. `seen` records every payload, for replays.
 */
export class LossyBroker extends MemoryBroker {
  drop: (payload: Uint8Array, topicKey: string) => boolean = () => false
  readonly seen: { topicKey: string; payload: Uint8Array }[] = []
  dropped = 0

  constructor() {
    super(DEFAULT_LIMITS, Date.now())
  }

  override publish(message: Stored): PublishResult {
    const payload = message.frame.slice(PAYLOAD_OFFSET)
    this.seen.push({ topicKey: message.topicKey, payload })
    if (this.drop(payload, message.topicKey)) {
      this.dropped++
      return { ok: true, duplicate: false }
    }
    return super.publish(message)
  }

  /** Loses the n-th (1-based) message of this envelope type from now on, once. */
  dropNth(type: number, n: number): void {
    let count = 0
    this.drop = (p) => p[1] === type && ++count === n
  }
}
