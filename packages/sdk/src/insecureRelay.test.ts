import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { privateKeyToAccount } from 'viem/accounts'
import { expect, it } from 'vitest'
import { createDapp } from './index.js'
import { createWallet } from './wallet/index.js'

const metadata = { name: 'x', url: 'https://x.example' }
// a QR naming a plain-WebSocket relay on another machine (0.0.0.0: refused at once if tried)
const uri =
  'pairline:1?s=hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo&k=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8&r=ws%3A%2F%2F0.0.0.0%3A1&x=9999999999'

it('both sides refuse a ws:// relay that is not on this machine (RELAY_INSECURE), unless the app opts in', async () => {
  // the dApp names its relay up front: createDapp itself refuses it
  expect(() => createDapp({ relayUrl: 'ws://0.0.0.0:1', metadata, chains: [1] })).toThrow(
    expect.objectContaining({ code: 'RELAY_INSECURE', details: 'host 0.0.0.0:1' }),
  )
  const lan = createDapp({
    relayUrl: 'ws://0.0.0.0:1',
    metadata,
    chains: [1],
    relay: { allowInsecureRelay: true },
  })
  await lan.close()
  // the wallet gets it from the QR: pair() refuses it
  const accounts = [privateKeyToAccount(ANVIL_KEYS[0])]
  const wallet = createWallet({ metadata, accounts, chains: [1] })
  await expect(wallet.pair(uri)).rejects.toMatchObject({ code: 'RELAY_INSECURE' })
  await wallet.close()
  // opted in: the relay is tried (and, with nothing listening there, unavailable)
  const relay = { allowInsecureRelay: true, connectTimeoutMs: 2000 }
  const brave = createWallet({ metadata, accounts, chains: [1], relay })
  await expect(brave.pair(uri)).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' })
  await brave.close()
})
