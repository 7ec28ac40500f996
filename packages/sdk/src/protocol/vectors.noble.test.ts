import { describe, expect, it, vi } from 'vitest'
import { library } from '#primitives'

// The same protocol vectors (vectors.test.ts, docs/vectors/pairline-v1.json) with noble underneath:
// what browsers and `pairline-pure-js` resolve `#primitives` to. vectors.test.ts runs them on node:crypto.
vi.mock('#primitives', () => import('./noise/primitives.noble.js'))

import './vectors.test.js'

describe('noble underneath', () => {
  it('#primitives is noble in this file', () => {
    expect(library).toEqual({ aead: 'noble', x25519: 'noble' })
  })
})
