import { injected } from '@wagmi/core'
import { BrowserProvider, type Eip1193Provider as EthersEip1193Provider } from 'ethers'
import { custom, type EIP1193Provider } from 'viem'
import { describe, expect, it } from 'vitest'
import type { Eip1193Provider } from './index.js'

/** Compiles only when `value` is assignable to T: `tsc` (part of the test command) holds these. */
const assignable = <T>(value: T): T => value
declare const ours: Eip1193Provider

// Type tests: the bodies are never run with a real provider; tsc checks every assignment.
describe('Eip1193Provider (type test)', () => {
  it('is assignable to viem’s EIP1193Provider, ethers’ Eip1193Provider and wagmi’s provider type', () => {
    const check = () => {
      assignable<EIP1193Provider>(ours)
      custom(ours)
      assignable<EthersEip1193Provider>(ours)
      new BrowserProvider(ours)
      // wagmi: the injected connector's target provider (viem's EIP1193Provider plus wallet flags)
      injected({ target: { id: 'pairline', name: 'Pairline', provider: ours } })
    }
    expect(typeof check).toBe('function')
  })
})
