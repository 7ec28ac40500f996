import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { privateKeyToAccount } from 'viem/accounts'
import { expect, it } from 'vitest'
import { createDapp } from './index.js'
import { createWallet } from './wallet/index.js'

it('pair() fails with RELAY_UNAVAILABLE when the relay cannot be reached, on both sides', async () => {
  const dapp = createDapp({
    relayUrl: 'ws://127.0.0.1:1',
    metadata: { name: 'd', url: 'https://d.example' },
    chains: [1],
    relay: { connectTimeoutMs: 500 },
  })
  await expect(dapp.pair()).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' })
  await dapp.close()
  const wallet = createWallet({
    metadata: { name: 'w', url: 'https://w.example' },
    accounts: [privateKeyToAccount(ANVIL_KEYS[0])],
    chains: [1],
    relay: { connectTimeoutMs: 500 },
  })
  const uri =
    'pairline:1?s=hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo&k=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8&r=ws%3A%2F%2F127.0.0.1%3A1&x=9999999999'
  await expect(wallet.pair(uri)).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' })
  await wallet.close()
})
