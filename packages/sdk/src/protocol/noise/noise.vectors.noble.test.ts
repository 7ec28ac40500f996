import { describe, expect, it, vi } from 'vitest'
import { library } from '#primitives'

// The same official Noise vectors (noise.vectors.test.ts) with noble underneath: what browsers and
// `pairline-pure-js` resolve `#primitives` to. noise.vectors.test.ts runs them on node:crypto.
vi.mock('#primitives', () => import('./primitives.noble.js'))

import './noise.vectors.test.js'

describe('noble underneath', () => {
  it('#primitives is noble in this file', () => {
    expect(library).toEqual({ aead: 'noble', x25519: 'noble' })
  })
})
