import { describe, expect, it } from 'vitest'
import { FuzzViolation } from './shared.js'
import { uriTarget } from './uri.js'

describe('uri target: "an error message quotes the psk field"', () => {
  it('is not raised by the parser’s own text (seed 303412699: k=pairline: on a URI whose scheme is wrong)', async () => {
    const { check } = await uriTarget.setup()
    const input = 'p=airline:1?+=eaYx7t4b-cmPEgMs3q3Q56B5OY_HhriMyEbsia-FpRo&k=pairline:'
    let thrown: unknown
    try {
      check(input)
    } catch (err) {
      thrown = err
    }
    expect(thrown).not.toBeInstanceOf(FuzzViolation)
    expect(thrown).toMatchObject({ code: 'URI_MALFORMED' })
    expect((thrown as Error).message).toContain('pairline:')
  })
})
