import type { Channel } from '../channel/channel.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import { asClose, type Close } from '../messages/bodies.js'
import type { SessionMessage } from '../messages/envelope.js'
import type { Timers } from '../util/timers.js'
import { ExpiryTimer } from './expiry.js'

export type Disconnect = { code: number; message: string }

const TAKEN_OVER_MESSAGE = 'The session was taken over by another device; pair again.'

/**
 * What a dApp session and a wallet session have in common: the channel's messages (ping and close
 * handled here, the rest passed on), session expiry, ending (tell the peer, wipe keys, forget the
 * stored session, emit `disconnect`) and suspending (stop locally so the session can be restored).
 */
export type LifecycleOptions = {
  channel: Channel
  now: () => number
  timers: Timers
  expiresAt: () => number
  forget: () => Promise<void>
  /** Messages other than ping and close. */
  onMessage: (m: SessionMessage) => void
  onError: (e: PairlineError) => void
  onDisconnect: (d: Disconnect) => void
  /** Releases pending work (timers, waiting callers) once, when the session ends or is suspended. */
  release: (ended: boolean) => void
  /** What `disconnect` says when the peer closes without a message. */
  peerEnded: string
}

export class SessionLifecycle {
  #ended = false
  #gone = false
  #expired = false
  readonly #expiry: ExpiryTimer
  readonly #o: LifecycleOptions

  constructor(o: LifecycleOptions) {
    this.#o = o
    this.#expiry = new ExpiryTimer(o.timers, o.now, o.expiresAt, () => {
      this.#expired = true
      void this.end(RpcCode.Disconnected, 'The session expired.', false)
    })
    o.channel.on('message', (m) => this.#onMessage(m))
    o.channel.on('error', (e) => o.onError(e))
    o.channel.on('takenOver', (e) => {
      // Tell the app, then end for good; the close (under whatever keys are live) is also the proof
      // the other real party needs (§8.4).
      o.onError(e)
      void this.end(RpcCode.Disconnected, TAKEN_OVER_MESSAGE, true, 'taken-over')
    })
    this.#expiry.arm()
  }

  get ended(): boolean {
    return this.#ended
  }

  /** Ended for good (disconnected or expired), not merely suspended: nothing more is stored. */
  get gone(): boolean {
    return this.#gone
  }

  /** What a request on the ended session fails with: 4900, SESSION_EXPIRED or DISCONNECTED. */
  endedError(): ProviderRpcError {
    return this.#expired
      ? new ProviderRpcError(RpcCode.Disconnected, 'The session expired.', {
          pairlineCode: ErrorCode.SessionExpired,
        })
      : new ProviderRpcError(RpcCode.Disconnected, 'The session has ended.')
  }

  /** Re-reads `expiresAt` (after an extend). */
  rearm(): void {
    this.#expiry.arm()
  }

  #onMessage(m: SessionMessage): void {
    try {
      if (m.t === 'ping') this.#o.channel.sendUnreliable({ t: 'pong' })
      else if (m.t === 'close') this.#onClose(asClose(m))
      else this.#o.onMessage(m)
    } catch (err) {
      if (err instanceof PairlineError) this.#o.onError(err)
    }
  }

  #onClose(c: Close): void {
    if (c.reason === 'taken-over') {
      this.#o.onError(
        new PairlineError(ErrorCode.SessionTakenOver, 'This session was taken over by another device.', {
          details: 'The peer found that someone resumed this session with a copy of its secrets.',
        }),
      )
    }
    void this.end(RpcCode.Disconnected, c.message || this.#o.peerEnded, false)
  }

  async end(code: number, message: string, notify: boolean, reason?: 'taken-over'): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    this.#gone = true
    this.#expiry.stop()
    if (notify) {
      const close: Close = { t: 'close', code, message, ...(reason ? { reason } : {}) }
      await this.#o.channel.send(close).catch(() => {})
    }
    this.#o.release(true)
    await this.#o.channel.close()
    await this.#o.forget().catch(() => {})
    this.#o.onDisconnect({ code, message })
  }

  async suspend(): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    this.#expiry.stop()
    this.#o.release(false)
    await this.#o.channel.close()
  }
}
