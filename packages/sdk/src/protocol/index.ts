/**
 * `@pairline/sdk/protocol`: the pure protocol layer (bytes in, bytes out; clock and randomness
 * injected). docs/PROTOCOL.md specifies every byte; docs/vectors/pairline-v1.json checks them.
 */
export { fromBase64Url, toBase64Url, wipe } from './bytes.js'
export { MessageType, peekMessageType, WIRE_VERSION } from './envelope.js'
export {
  FRAME_HEADER_LEN,
  FRAME_MIN_PADDED,
  type FrameHeader,
  MAX_FRAME_LEN,
  MAX_FRAME_PLAINTEXT,
  MIN_FRAME_LEN,
  type ParsedFrame,
  parseFrame,
} from './frame.js'
export {
  DEFAULT_COUNTER_LIMIT,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_REKEY_POLICY,
  FrameReceiver,
  FrameSender,
  MAX_EPOCH_SKIP,
  nextEpochKey,
  type OpenedFrame,
  type ReceiverState,
  type RekeyPolicy,
  type SenderState,
} from './frameCipher.js'
export {
  assertProposalFits,
  createDappHandshake,
  type DappHandshake,
  type HandshakeResult,
  MAX_HANDSHAKE_PAYLOAD,
  type Role,
  startWalletHandshake,
  type WalletHandshake,
  wipeHandshakeResult,
} from './handshake.js'
export { LABELS } from './labels.js'
export { pairingUriFromLink, redirectTarget, universalLink } from './links.js'
export { generateKeyPair, isLowOrderPublicKey, type KeyPair, keyPairFromPrivate } from './noise/dh.js'
export { type HandshakeOptions, HandshakeState } from './noise/handshakeState.js'
export { type HandshakePattern, PATTERNS, type PatternName } from './noise/patterns.js'
export { BLAKE2S, type NoiseHash, SHA256 } from './noise/suite.js'
export { pad, paddedLength, unpad } from './padding.js'
export {
  CAIP2,
  decodeHello,
  decodeProposal,
  encodeHello,
  encodeProposal,
  type Hello,
  type Metadata,
  type Namespace,
  type Namespaces,
  type Proposal,
  validateMetadata,
  validateNamespaces,
} from './payloads.js'
export { getRandomSource, type RandomBytes } from './random.js'
export { REPLAY_WINDOW, type ReplayVerdict, ReplayWindow } from './replay.js'
export { answerResume, type ResumeInitiator, startResume } from './resume.js'
export { deriveSas, SAS_DIGITS } from './sas.js'
export { pairingTopics, type Topic, type TopicPair } from './topics.js'
export {
  DEFAULT_PAIRING_TTL_SECONDS,
  encodePairingUri,
  type PairingUri,
  pairingPrologue,
  URI_VERSION,
} from './uri.js'
export { parsePairingUri } from './uriParse.js'
