import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { equalBytes, wipe } from './bytes.js'
import { MessageType, openEnvelope, withEnvelope } from './envelope.js'
import {
  checkPayloadSize,
  finish,
  type HandshakeResult,
  MAX_HANDSHAKE_PAYLOAD,
  openPayload,
} from './handshakeResult.js'
import { type KeyPair, keyPairFromPrivate, type RandomBytes } from './noise/dh.js'
import { HandshakeState } from './noise/handshakeState.js'
import { NKpsk0 } from './noise/patterns.js'
import { pad } from './padding.js'
import {
  decodeAnswer,
  decodeHello,
  encodeHello,
  encodeProposal,
  encodeRefusal,
  type Hello,
  type Proposal,
} from './payloads.js'
import { type PairingUri, pairingPrologue } from './uri.js'

export {
  type HandshakeResult,
  MAX_HANDSHAKE_PAYLOAD,
  type Role,
  wipeHandshakeResult,
} from './handshakeResult.js'
export { answerResume, type ResumeInitiator, startResume } from './resume.js'

/**
 * Throws PAYLOAD_TOO_LARGE when `proposal` cannot travel in message 2 (its JSON over
 * MAX_HANDSHAKE_PAYLOAD bytes). The dApp checks before it shows a QR, so a wallet that answers is
 * never left waiting for a message 2 that cannot be written.
 */
export function assertProposalFits(proposal: Proposal): void {
  const bytes = encodeProposal(proposal)
  if (bytes.length > MAX_HANDSHAKE_PAYLOAD) {
    throw new PairlineError(
      ErrorCode.PayloadTooLarge,
      'The session proposal is too large for the handshake.',
      {
        details: `${bytes.length} bytes of JSON; the limit is ${MAX_HANDSHAKE_PAYLOAD} (ask for fewer chains, methods or events, or shorter metadata)`,
      },
    )
  }
}

/** What both sides say when a second wallet answered the QR code (docs/PROTOCOL.md §4.4). */
export function burnedError(): PairlineError {
  return new PairlineError(
    ErrorCode.PairingBurned,
    'This QR code was seen by someone else: nothing was connected. Pair again with a new code.',
    { details: 'a second wallet answered the same QR code before both screens confirmed the code' },
  )
}

function nkpsk0(uri: PairingUri, initiator: boolean, randomBytes: RandomBytes, s?: KeyPair): HandshakeState {
  return new HandshakeState({
    pattern: NKpsk0,
    initiator,
    prologue: pairingPrologue(uri),
    psks: [uri.psk],
    randomBytes,
    ...(initiator ? { rs: uri.responderStatic } : { s: s as KeyPair }),
  })
}

function assertFresh(uri: PairingUri, nowSeconds: number): void {
  if (!(nowSeconds < uri.expiresAt)) {
    throw new PairlineError(ErrorCode.PairingExpired, 'The pairing has expired.', {
      details: 'Ask the dApp for a new QR code.',
    })
  }
}

export type WalletHandshake = {
  /** Message 1 (type Hello), to publish on the pairing topic w2d. */
  readonly message1: Uint8Array
  /** Reads message 2 and completes the handshake. Fails without side effects on bad input. */
  readProposal(message2: Uint8Array, nowSeconds: number): { proposal: Proposal; result: HandshakeResult }
  destroy(): void
}

/** The wallet (Noise initiator) side of pairing. */
export function startWalletHandshake(o: {
  uri: PairingUri
  hello: Hello
  nowSeconds: number
  randomBytes: RandomBytes
}): WalletHandshake {
  assertFresh(o.uri, o.nowSeconds)
  const hs = nkpsk0(o.uri, true, o.randomBytes)
  const message1 = withEnvelope(
    MessageType.Hello,
    hs.writeMessage(pad(encodeHello(o.hello), MAX_HANDSHAKE_PAYLOAD)),
  )
  let done = false
  return {
    message1,
    readProposal(message2, nowSeconds) {
      if (done) throw new PairlineError(ErrorCode.HandshakeWrongState, 'This handshake is already complete.')
      assertFresh(o.uri, nowSeconds)
      const body = openEnvelope(message2, MessageType.Proposal)
      checkPayloadSize(body)
      const padded = hs.readMessage(body)
      // Authenticated from here on: a malformed proposal is a broken peer, and it ends the handshake.
      done = true
      let answer: ReturnType<typeof decodeAnswer>
      try {
        answer = decodeAnswer(openPayload(padded))
      } catch (cause) {
        hs.destroy()
        throw cause
      }
      // Only the holder of s can write a message 2 this wallet opens: the refusal is the dApp's.
      if ('refusal' in answer) {
        hs.destroy()
        throw burnedError()
      }
      return { proposal: answer.proposal, result: finish(hs, 'wallet', true) }
    },
    destroy() {
      done = true
      hs.destroy()
    },
  }
}

export type HelloOutcome = { hello: Hello }

export type DappHandshake = {
  readonly state: 'waiting' | 'hello' | 'done' | 'burned' | 'destroyed'
  /**
   * Reads a message 1. The first valid one is accepted; a byte-identical copy raises
   * HANDSHAKE_REPLAYED; a different valid one burns the pairing (PAIRING_BURNED): two senders
   * know the psk (PROTOCOL.md §4.4). The caller destroys the handshake once the session is
   * verified, so a later message 1 changes nothing. Invalid messages raise HANDSHAKE_FAILED and
   * change nothing.
   */
  readHello(message1: Uint8Array, nowSeconds: number): HelloOutcome
  /**
   * After a burn: the message 2 for the wallet whose message 1 burned the pairing, with a refusal
   * payload (§4.3), to publish on the pairing topic d2w. Null otherwise.
   */
  readonly burnNotice: Uint8Array | null
  /** Writes message 2 once a hello was accepted, and completes the handshake. */
  writeProposal(proposal: Proposal, nowSeconds: number): { message2: Uint8Array; result: HandshakeResult }
  /** Wipes s and the psk: call at pairing expiry or when the session ends. */
  destroy(): void
}

/** The dApp (Noise responder) side of pairing. `staticPrivateKey` is the per-pairing s. */
export function createDappHandshake(o: {
  uri: PairingUri
  staticPrivateKey: Uint8Array
  randomBytes: RandomBytes
}): DappHandshake {
  const s = keyPairFromPrivate(o.staticPrivateKey)
  try {
    return dappHandshakeWith(o.uri, s, o.randomBytes)
  } finally {
    wipe(s.privateKey)
  }
}

/**
 * createDappHandshake for a key pair whose public half is already known (the dApp's pairing draws
 * s with generateKeyPair): no second scalar multiplication to recompute s.pub (issue 16). Copies s.
 * Not exported from /protocol: a caller with only the private key goes through createDappHandshake.
 */
export function dappHandshakeWith(
  pairingUri: PairingUri,
  keyPair: KeyPair,
  randomBytes: RandomBytes,
): DappHandshake {
  if (!equalBytes(keyPair.publicKey, pairingUri.responderStatic)) {
    throw new PairlineError(ErrorCode.InvalidKey, 'The static private key does not match the pairing URI.')
  }
  const s = { privateKey: keyPair.privateKey.slice(), publicKey: keyPair.publicKey.slice() }
  const uri = {
    ...pairingUri,
    psk: pairingUri.psk.slice(),
    responderStatic: pairingUri.responderStatic.slice(),
  }
  let state: DappHandshake['state'] = 'waiting'
  let accepted: { hs: HandshakeState; message1: Uint8Array } | null = null
  let burnNotice: Uint8Array | null = null

  const burn = () => {
    state = 'burned'
    accepted?.hs.destroy()
    accepted = null
    wipe(s.privateKey, uri.psk)
  }

  return {
    get state() {
      return state
    },
    get burnNotice() {
      return burnNotice
    },
    readHello(message1, nowSeconds) {
      if (state === 'burned' || state === 'destroyed') {
        throw new PairlineError(ErrorCode.PairingBurned, 'This pairing can no longer be used.')
      }
      assertFresh(uri, nowSeconds)
      const body = openEnvelope(message1, MessageType.Hello)
      checkPayloadSize(body)
      if (accepted && equalBytes(accepted.message1, message1)) {
        throw new PairlineError(ErrorCode.HandshakeReplayed, 'This wallet hello was already received.')
      }
      const hs = nkpsk0(uri, false, randomBytes, s)
      let hello: Hello
      try {
        hello = decodeHello(openPayload(hs.readMessage(body)))
      } catch (cause) {
        hs.destroy()
        throw cause
      }
      if (state !== 'waiting') {
        // A second, different, valid hello: someone else has the QR too. Its sender gets an
        // authenticated refusal (the first wallet is told on its session channel), then s goes.
        burnNotice = withEnvelope(
          MessageType.Proposal,
          hs.writeMessage(pad(encodeRefusal({ v: 1, refused: 'burned' }), MAX_HANDSHAKE_PAYLOAD)),
        )
        hs.destroy()
        burn()
        throw burnedError()
      }
      state = 'hello'
      accepted = { hs, message1: message1.slice() }
      return { hello }
    },
    writeProposal(proposal, nowSeconds) {
      if (state !== 'hello' || !accepted) {
        throw new PairlineError(ErrorCode.HandshakeWrongState, 'No wallet hello to answer.')
      }
      assertFresh(uri, nowSeconds)
      const body = accepted.hs.writeMessage(pad(encodeProposal(proposal), MAX_HANDSHAKE_PAYLOAD))
      const result = finish(accepted.hs, 'dapp', false)
      // Keep message1 to recognise replays; keep s and the psk to detect a racing second wallet.
      state = 'done'
      return { message2: withEnvelope(MessageType.Proposal, body), result }
    },
    destroy() {
      if (state !== 'burned') burn()
      state = 'destroyed'
    },
  }
}
