import { describe, expect, it } from 'vitest'
import * as sdk from './index.js'
import * as protocol from './protocol/index.js'

// API changes are deliberate: update these snapshots on purpose, in the same change as the docs.
describe('public exports', () => {
  it('@pairline/sdk', () => {
    expect(Object.keys(sdk).sort()).toMatchInlineSnapshot(`
      [
        "DappSession",
        "ErrorCode",
        "PairlineError",
        "ProviderRpcError",
        "READ_ONLY_METHODS",
        "RpcCode",
        "WALLET_METHODS",
        "WalletSession",
        "browserStorage",
        "createDapp",
        "createWallet",
        "defaultStorage",
        "isPairlineError",
        "memoryStorage",
        "sealedStorage",
      ]
    `)
  })
  it('@pairline/sdk/protocol', () => {
    expect(Object.keys(protocol).sort()).toMatchInlineSnapshot(`
      [
        "BLAKE2S",
        "CAIP2",
        "DEFAULT_COUNTER_LIMIT",
        "DEFAULT_GRACE_SECONDS",
        "DEFAULT_PAIRING_TTL_SECONDS",
        "DEFAULT_REKEY_POLICY",
        "FRAME_HEADER_LEN",
        "FrameReceiver",
        "FrameSender",
        "HandshakeState",
        "LABELS",
        "MAX_EPOCH_SKIP",
        "MAX_FRAME_LEN",
        "MAX_FRAME_PLAINTEXT",
        "MAX_HANDSHAKE_PAYLOAD",
        "MIN_FRAME_LEN",
        "MessageType",
        "PATTERNS",
        "REPLAY_WINDOW",
        "ReplayWindow",
        "SAS_DIGITS",
        "SHA256",
        "URI_VERSION",
        "WIRE_VERSION",
        "answerResume",
        "createDappHandshake",
        "decodeHello",
        "decodeProposal",
        "deriveSas",
        "encodeHello",
        "encodePairingUri",
        "encodeProposal",
        "exportSession",
        "fromBase64Url",
        "generateKeyPair",
        "getRandomSource",
        "isLowOrderPublicKey",
        "keyPairFromPrivate",
        "nextEpochKey",
        "pad",
        "paddedLength",
        "pairingPrologue",
        "pairingTopics",
        "parseFrame",
        "parsePairingUri",
        "peekMessageType",
        "startResume",
        "startWalletHandshake",
        "toBase64Url",
        "unpad",
        "validateMetadata",
        "validateNamespaces",
        "wipe",
        "wipeHandshakeResult",
      ]
    `)
  })
})
