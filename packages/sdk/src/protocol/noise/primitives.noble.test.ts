import { describe, expect, it, vi } from 'vitest'
import { library } from '#primitives'

// The SDK's checks and errors over the primitives (primitives.test.ts: RFC 7748 and 8439 through
// dh() and aeadDecrypt(), low-order keys, any flipped bit: one code and message each) with noble
// underneath, what browsers and `pairline-pure-js` resolve `#primitives` to; primitives.test.ts
// itself runs on node:crypto.
vi.mock('#primitives', () => import('./primitives.noble.js'))

import './primitives.test.js'

describe('noble underneath', () => {
  it('#primitives is noble in this file', () => {
    expect(library).toEqual({ aead: 'noble', x25519: 'noble' })
  })
})
