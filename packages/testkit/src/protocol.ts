import {
  createDappHandshake,
  generateKeyPair,
  type HandshakeResult,
  keyPairFromPrivate,
  type PairingUri,
  type RandomBytes,
  startWalletHandshake,
} from '@pairline/sdk/protocol'

/**
 * Deterministic helpers for tests and for generating docs/vectors (never for production: the
 * SDK always draws from crypto.getRandomValues).
 */
export function seededRandom(seed: number): RandomBytes {
  let x = seed >>> 0 || 1
  return (n) => {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      // xorshift32: predictable on purpose
      x ^= x << 13
      x >>>= 0
      x ^= x >>> 17
      x ^= x << 5
      x >>>= 0
      out[i] = x & 0xff
    }
    return out
  }
}

export function fixedBytes(fill: number, length = 32): Uint8Array {
  return new Uint8Array(length).map((_, i) => (fill + i) & 0xff)
}

export function testPairing(overrides: Partial<PairingUri> = {}, staticPrivate = fixedBytes(0x40)) {
  const s = keyPairFromPrivate(staticPrivate)
  const uri: PairingUri = {
    version: 1,
    responderStatic: s.publicKey,
    psk: fixedBytes(0x80),
    relayUrl: 'wss://relay.pairline.dev',
    expiresAt: 1_800_000_300,
    chains: ['eip155:1'],
    ...overrides,
  }
  return { uri, staticPrivate: s.privateKey }
}

export const TEST_NOW = 1_800_000_000
export const WALLET_META = { name: 'Test Wallet', url: 'https://wallet.example' }
export const DAPP_META = { name: 'Test dApp', url: 'https://dapp.example' }
export const TEST_PROPOSAL = {
  v: 1 as const,
  dapp: DAPP_META,
  required: { eip155: { chains: ['eip155:1'], methods: ['personal_sign'], events: ['chainChanged'] } },
  optional: {},
  expiresAt: TEST_NOW + 7 * 86400,
}

/** A real pairing handshake run in memory with fresh keys: both sides' results (for channel tests). */
export function pairedResults(random: RandomBytes): { wallet: HandshakeResult; dapp: HandshakeResult } {
  const now = Date.now() / 1000
  const s = generateKeyPair(random)
  const uri: PairingUri = {
    version: 1,
    responderStatic: s.publicKey,
    psk: random(32),
    relayUrl: 'ws://x',
    expiresAt: Math.floor(now) + 300,
    chains: ['eip155:1'],
  }
  const dappHs = createDappHandshake({ uri, staticPrivateKey: s.privateKey, randomBytes: random })
  const walletHs = startWalletHandshake({
    uri,
    hello: { v: 1, wallet: WALLET_META },
    nowSeconds: now,
    randomBytes: random,
  })
  dappHs.readHello(walletHs.message1, now)
  const proposal = { ...TEST_PROPOSAL, expiresAt: Math.floor(now) + 3600 }
  const { message2, result: dapp } = dappHs.writeProposal(proposal, now)
  const { result: wallet } = walletHs.readProposal(message2, now)
  dappHs.destroy()
  return { wallet, dapp }
}
