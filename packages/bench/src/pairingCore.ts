/**
 * The pairing as the SDK's protocol layer runs it, both sides, no I/O: the dApp's s from
 * generateKeyPair handed to its handshake (four X25519 operations), the wallet's hello, message 2,
 * SAS and topics (three). Internal modules on purpose: this is the SDK's own path (dappPairing.ts).
 */
import { TEST_PROPOSAL, WALLET_META } from '@pairline/testkit/protocol'
import { dappHandshakeWith, startWalletHandshake } from '../../sdk/src/protocol/handshake.js'
import { generateKeyPair } from '../../sdk/src/protocol/noise/dh.js'
import type { PairingUri } from '../../sdk/src/protocol/uri.js'

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

export function protocolPairing(): string {
  const now = Math.floor(Date.now() / 1000)
  const s = generateKeyPair(random)
  const uri: PairingUri = {
    version: 1,
    responderStatic: s.publicKey,
    psk: random(32),
    relayUrl: 'wss://relay.example',
    expiresAt: now + 300,
    chains: ['eip155:1'],
  }
  const dapp = dappHandshakeWith(uri, s, random)
  const wallet = startWalletHandshake({
    uri,
    hello: { v: 1, wallet: WALLET_META },
    nowSeconds: now,
    randomBytes: random,
  })
  dapp.readHello(wallet.message1, now)
  const { message2, result } = dapp.writeProposal({ ...TEST_PROPOSAL, expiresAt: now + 86400 }, now)
  const done = wallet.readProposal(message2, now)
  dapp.destroy()
  if (done.result.sas !== result.sas) throw new Error('the two sides disagree on the SAS')
  return result.sas
}
